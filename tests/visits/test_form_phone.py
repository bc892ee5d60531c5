"""The caregiver's phone flow, end to end through the test client: start a
visit at the door, check out, submit through the intake (channel "form");
a refused visit stays on the phone with its reasons to fix and resubmit."""

import hashlib
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from apps.accounts.roles import Role
from apps.visits.forms import NON_LOCAL_REASON
from apps.visits.models import Channel, ServiceVisit, VisitDraft, VisitSubmission
from apps.visits.reasons import Reason
from tests.factories import ProviderFactory, staff
from tests.providers.factories import StaffMemberFactory
from tests.visits.factories import add_elder, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def caregiver_user(w):
    """The world's caregiver with a login of their own."""
    user = staff(Role.PROVIDER_STAFF, provider=w.provider)
    w.caregiver.user = user
    w.caregiver.save(update_fields=["user"])
    return user


def png(size=(8, 8), padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue() + b"\0" * padding


def check_in(client, w, *, method="card", reason="", **extra) -> VisitDraft:
    data = {"service_item": w.rehab.pk, "check_in_method": method, "check_in_reason": reason,
            **extra}
    response = client.post(reverse("visits:mobile_check_in", args=[w.elder.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return VisitDraft.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def backdate(draft: VisitDraft, minutes: int) -> None:
    """The caregiver spent ``minutes`` at the door since checking in."""
    VisitDraft.objects.filter(pk=draft.pk).update(
        check_in_at=draft.check_in_at - timedelta(minutes=minutes))


def check_out(client, draft, **extra):
    data = {"check_out_method": "card", "notes": "康复训练 45 分钟", "confirmation": "elder",
            **extra}
    return client.post(reverse("visits:mobile_check_out", args=[draft.pk]), data)


def test_a_caregiver_checks_in_checks_out_and_submits(client, w, caregiver_user):
    client.force_login(caregiver_user)
    # the start page lists the elder of the agreement, masked
    start = client.get(reverse("visits:mobile_start")).content.decode()
    assert w.elder.name in start
    assert w.elder.id_number_masked in start
    assert w.elder.id_number not in start
    # at the door: the card is offered (local hukou), the position is optional
    page = client.get(reverse("visits:mobile_check_in", args=[w.elder.pk])).content.decode()
    assert 'value="card"' in page
    assert 'id="check-in"' in page
    assert "js/visit-geolocation.js" in page
    before = timezone.now()
    draft = check_in(client, w, latitude="23.129200", longitude="113.264500")
    # the server's time, the linked caregiver, a generated visit id
    assert before <= draft.check_in_at <= timezone.now()
    assert draft.caregiver == w.caregiver
    assert draft.provider_visit_id.startswith("F")
    assert draft.latitude == Decimal("23.129200")
    assert draft.check_out_at is None
    backdate(draft, 45)
    # check out: now, with what was done and who confirmed
    assert check_out(client, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.check_out_at is not None
    assert draft.notes == "康复训练 45 分钟"
    # submit: through the intake, channel form
    response = client.post(reverse("visits:mobile_submit", args=[draft.pk]))
    visit = ServiceVisit.objects.get(provider_visit_id=draft.provider_visit_id)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert visit.channel == Channel.FORM
    assert visit.submitted_by == caregiver_user
    assert visit.caregiver == w.caregiver
    assert visit.elder == w.elder
    assert visit.latitude == Decimal("23.129200")
    assert visit.distance_m is not None
    assert not VisitDraft.objects.filter(pk=draft.pk).exists()
    submission = VisitSubmission.objects.get(provider_visit_id=draft.provider_visit_id)
    assert submission.channel == Channel.FORM
    assert submission.outcome == "accepted"
    # the page shows the visit, and my day lists it
    detail = client.get(response["Location"]).content.decode()
    assert draft.provider_visit_id in detail
    today = client.get(reverse("visits:mobile_today")).content.decode()
    assert f'data-visit="{visit.pk}"' in today


def test_a_refused_visit_stays_on_the_phone_with_its_reasons(client, w, caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    backdate(draft, 10)  # rehabilitation nursing needs at least 30 minutes
    check_out(client, draft)
    response = client.post(reverse("visits:mobile_submit", args=[draft.pk]))
    # refused: the draft stays, with the reasons, and nothing is a visit
    assert response["Location"] == reverse("visits:mobile_draft", args=[draft.pk])
    draft.refresh_from_db()
    assert [r["code"] for r in draft.last_reasons] == [Reason.BELOW_MIN_DURATION]
    assert not ServiceVisit.objects.filter(provider_visit_id=draft.provider_visit_id).exists()
    refused = VisitSubmission.objects.get(provider_visit_id=draft.provider_visit_id)
    assert refused.outcome == "rejected"
    page = client.get(reverse("visits:mobile_draft", args=[draft.pk])).content.decode()
    assert 'id="visit-reasons"' in page
    with translation.override("zh-hans"):
        assert escape(str(Reason.BELOW_MIN_DURATION.label)) in page
    # the caregiver fixes the check-in time (by hand, with a reason) and submits again
    local_in = timezone.localtime(draft.check_in_at) - timedelta(minutes=30)
    local_out = timezone.localtime(draft.check_out_at)
    edit = {"service_item": w.rehab.pk, "check_in_at": f"{local_in:%Y-%m-%dT%H:%M}",
            "check_in_method": "card", "check_in_reason": "",
            "check_out_at": f"{local_out:%Y-%m-%dT%H:%M}", "check_out_method": "card",
            "check_out_reason": "", "notes": draft.notes, "confirmation": "elder"}
    # a changed time without a reason is refused on the form
    refused_edit = client.post(reverse("visits:mobile_edit", args=[draft.pk]), edit)
    assert refused_edit.status_code == 200
    assert "errorlist" in refused_edit.content.decode()
    edit["check_in_reason"] = "刷卡机故障，补录到达时间"
    assert client.post(reverse("visits:mobile_edit", args=[draft.pk]), edit).status_code == 302
    draft.refresh_from_db()
    assert draft.check_in_method == "manual"
    assert draft.check_in_reason == "刷卡机故障，补录到达时间"
    assert draft.check_out_at == local_out  # unchanged: the exact time kept
    response = client.post(reverse("visits:mobile_submit", args=[draft.pk]))
    visit = ServiceVisit.objects.get(provider_visit_id=draft.provider_visit_id)
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert visit.check_in_method == "manual"
    assert not VisitDraft.objects.filter(pk=draft.pk).exists()
    assert VisitSubmission.objects.filter(provider_visit_id=draft.provider_visit_id).count() == 2


def test_a_non_local_elder_is_checked_in_by_hand_with_a_suggested_reason(client, w,
                                                                        caregiver_user):
    other = add_elder(w, local_hukou=False)["elder"]
    client.force_login(caregiver_user)
    page = client.get(reverse("visits:mobile_check_in", args=[other.pk])).content.decode()
    # Art 16: no citizen card for a non-local elder; a reason is suggested
    assert 'value="card"' not in page
    assert 'value="manual"' in page
    with translation.override("zh-hans"):
        suggested = escape(str(NON_LOCAL_REASON))
    assert f'name="check_in_reason" value="{suggested}"' in page
    refused = client.post(reverse("visits:mobile_check_in", args=[other.pk]),
                          {"service_item": w.rehab.pk, "check_in_method": "card"})
    assert refused.status_code == 200
    assert not VisitDraft.objects.exists()


def test_an_account_not_linked_to_the_roster_picks_the_caregiver(client, w):
    coordinator = w.user  # a provider account with no roster entry
    StaffMemberFactory(provider=w.provider, name="Left", active=False)
    client.force_login(coordinator)
    page = client.get(reverse("visits:mobile_check_in", args=[w.elder.pk])).content.decode()
    assert 'name="caregiver"' in page
    assert w.caregiver.name in page
    assert "Left" not in page
    missing = client.post(reverse("visits:mobile_check_in", args=[w.elder.pk]),
                          {"service_item": w.rehab.pk, "check_in_method": "card"})
    assert missing.status_code == 200
    draft = check_in(client, w, caregiver=w.caregiver.pk)
    assert draft.caregiver == w.caregiver
    assert draft.created_by == coordinator
    # the coordinator's day lists the draft they opened
    today = client.get(reverse("visits:mobile_today")).content.decode()
    assert f'data-draft="{draft.pk}"' in today


def test_the_photo_is_kept_with_its_checksum_and_served_only_in_scope(client, w,
                                                                      caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    backdate(draft, 40)
    content = png()
    response = check_out(client, draft, photo=SimpleUploadedFile("p.png", content,
                                                                 content_type="image/png"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.photo
    assert client.get(reverse("visits:draft_photo", args=[draft.pk])).status_code == 200
    client.post(reverse("visits:mobile_submit", args=[draft.pk]))
    visit = ServiceVisit.objects.get(provider_visit_id=draft.provider_visit_id)
    assert visit.photo_sha256 == hashlib.sha256(content).hexdigest()
    photo = client.get(reverse("visits:visit_photo", args=[visit.pk]))
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == content
    assert photo["X-Content-Type-Options"] == "nosniff"
    detail = client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()
    assert reverse("visits:visit_photo", args=[visit.pk]) in detail
    assert "/media/" not in detail
    assert visit.photo.name not in detail
    # another provider's staff: as if it did not exist
    client.force_login(staff(Role.PROVIDER_STAFF, provider=ProviderFactory(region=w.district)))
    assert client.get(reverse("visits:visit_photo", args=[visit.pk])).status_code == 404


def test_a_photo_over_5_mb_is_refused(client, w, caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    big = SimpleUploadedFile("big.png", png(padding=5 * 1024 * 1024 + 1),
                             content_type="image/png")
    response = check_out(client, draft, photo=big)
    assert response.status_code == 200
    assert "5 MB" in response.content.decode()
    draft.refresh_from_db()
    assert draft.check_out_at is None
    assert not draft.photo
    not_an_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    assert check_out(client, draft, photo=not_an_image).status_code == 200


def test_an_agent_confirming_gives_a_name(client, w, caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    assert check_out(client, draft, confirmation="agent").status_code == 200
    assert check_out(client, draft, confirmation="agent",
                     confirmed_by_name="王女士").status_code == 302
    draft.refresh_from_db()
    assert draft.confirmation == "agent"
    assert draft.confirmed_by_name == "王女士"


def test_a_draft_can_be_discarded(client, w, caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    response = client.post(reverse("visits:mobile_discard", args=[draft.pk]))
    assert response["Location"] == reverse("visits:mobile_today")
    assert not VisitDraft.objects.exists()


def test_another_providers_draft_and_elders_are_out_of_reach(client, w, caregiver_user):
    client.force_login(caregiver_user)
    draft = check_in(client, w)
    other = world(district=w.district, street=w.street)
    outsider = staff(Role.PROVIDER_STAFF, provider=other.provider)
    client.force_login(outsider)
    # the other provider's start page lists only its own agreement's elder
    start = client.get(reverse("visits:mobile_start")).content.decode()
    assert other.elder.name in start
    assert w.elder.name not in start
    assert client.get(reverse("visits:mobile_check_in",
                              args=[w.elder.pk])).status_code == 404
    for name in ("mobile_draft", "mobile_edit", "draft_photo"):
        assert client.get(reverse(f"visits:{name}", args=[draft.pk])).status_code == 404
    for name in ("mobile_check_out", "mobile_submit", "mobile_discard"):
        assert client.post(reverse(f"visits:{name}", args=[draft.pk])).status_code == 404
    assert VisitDraft.objects.filter(pk=draft.pk).exists()
    assert f'data-draft="{draft.pk}"' not in client.get(
        reverse("visits:mobile_today")).content.decode()


def test_an_elder_whose_agreement_ended_is_not_offered(client, w, caregiver_user):
    ended = add_elder(w)
    agreement = ended["agreement"]
    agreement.status = "ended"
    agreement.ended_on = timezone.localdate() - timedelta(days=1)
    agreement.end_reason = "mutual_consent"
    agreement.save()
    client.force_login(caregiver_user)
    assert ended["elder"].name not in client.get(
        reverse("visits:mobile_start")).content.decode()
    assert client.get(reverse("visits:mobile_check_in",
                              args=[ended["elder"].pk])).status_code == 404


def test_office_staff_do_not_record_visits(client, w):
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    assert client.get(reverse("visits:mobile_today")).status_code == 403
    assert client.get(reverse("visits:mobile_start")).status_code == 403


def test_the_phone_pages_fit_a_phone(client, w, caregiver_user):
    client.force_login(caregiver_user)
    for url in (reverse("visits:mobile_today"), reverse("visits:mobile_start"),
                reverse("visits:mobile_check_in", args=[w.elder.pk])):
        html = client.get(url).content.decode()
        assert 'name="viewport"' in html
        assert 'class="phone"' in html
        assert 'class="sidenav"' not in html  # one column: no side menu on the phone
        assert "<script>" not in html
        assert "onclick" not in html
