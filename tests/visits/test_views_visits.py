"""The office's and the provider's visit screens: the list (scoped,
filtered, a fixed number of queries), the detail with its versions and
submissions, the refused rows to correct and resubmit."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.visits import intake
from apps.visits.models import ServiceVisit, VisitSubmission
from apps.visits.reasons import Flag, Reason
from tests.factories import ProviderFactory, RegionFactory, staff
from tests.visits.factories import LIFE_CARE, add_elder, local, make_visit, visit_input, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html) -> int:
    return html.count("<tr data-pk=")


def test_each_user_sees_the_visits_of_their_jurisdiction(client, w):
    mine = make_visit(w)
    other = world(district=w.district)
    theirs = make_visit(other)
    list_url = reverse("visits:visit_list")
    # the provider: its own
    client.force_login(w.user)
    html = page(client, list_url)
    assert client.get(reverse("visits:visit_detail", args=[theirs.pk])).status_code == 404
    assert f'data-pk="{mine.pk}"' in html
    assert f'data-pk="{theirs.pk}"' not in html
    # the street of the elder, and its district; the sibling street sees none
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    html = page(client, list_url)
    assert f'data-pk="{mine.pk}"' in html
    assert f'data-pk="{theirs.pk}"' not in html
    client.force_login(staff(Role.DISTRICT_STAFF, region=w.district))
    html = page(client, list_url)
    assert f'data-pk="{mine.pk}"' in html
    assert f'data-pk="{theirs.pk}"' in html
    sibling = staff(Role.STREET_STAFF, region=RegionFactory.street(w.district))
    client.force_login(sibling)
    assert rows(page(client, list_url)) == 0
    assert client.get(reverse("visits:visit_detail", args=[mine.pk])).status_code == 404


def test_the_list_costs_the_same_queries_for_3_or_30_visits(client, w,
                                                             django_assert_num_queries):
    day = date(2025, 10, 1)
    for index in range(3):
        make_visit(w, check_in_at=local(day + timedelta(days=index), 9))
    client.force_login(w.user)
    url = reverse("visits:visit_list")
    client.get(url)  # warm the session and the permission cache alike
    with CaptureQueriesContext(connection) as three:
        assert rows(page(client, url)) == 3
    others = [add_elder(w)["elder"] for _ in range(3)]
    for index in range(27):
        make_visit(w, elder=others[index % 3],
                   check_in_at=local(day + timedelta(days=index % 28), 10 + index % 3))
    with django_assert_num_queries(len(three)):
        assert rows(page(client, url)) == 30
    # and for the district's office with the filters on
    client.force_login(staff(Role.DISTRICT_STAFF, region=w.district))
    params = {"month": "2025-10", "service_item": w.rehab.pk}
    client.get(url, params)
    with CaptureQueriesContext(connection) as filtered:
        assert rows(page(client, url, **params)) == 30
    make_visit(w, elder=others[0], check_in_at=local(day, 15))
    with django_assert_num_queries(len(filtered)):
        assert rows(page(client, url, **params)) == 31


def test_the_filters(client, w):
    october = make_visit(w, check_in_at=local(date(2025, 10, 6), 9))
    november = make_visit(w, check_in_at=local(date(2025, 11, 3), 9), code=LIFE_CARE,
                          minutes=90)
    flagged = make_visit(w, check_in_at=local(date(2025, 11, 4), 9),
                         flags=[Flag.FAR_FROM_ADDRESS])
    someone = add_elder(w, name="Zhang Sanfeng")["elder"]
    named = make_visit(w, elder=someone, check_in_at=local(date(2025, 11, 5), 9))
    other_provider = world(district=w.district, street=w.street)
    elsewhere = make_visit(other_provider, check_in_at=local(date(2025, 11, 6), 9))
    client.force_login(staff(Role.DISTRICT_STAFF, region=w.district))
    url = reverse("visits:visit_list")

    def shown(**params):
        if "elder_name" in params:  # a name is posted and kept, never in the URL
            client.post(url, {"elder_name": params.pop("elder_name"), "private_search": "1"})
        html = page(client, url, **params)
        client.post(url, {"private_search": "1"})  # the kept name is cleared
        return {v.pk for v in (october, november, flagged, named, elsewhere)
                if f'data-pk="{v.pk}"' in html}

    assert shown(month="2025-10") == {october.pk}
    assert shown(month="2025-11", service_item=w.life_care.pk) == {november.pk}
    assert shown(flag=Flag.FAR_FROM_ADDRESS) == {flagged.pk}
    assert shown(elder_name="Sanfeng") == {named.pk}
    assert shown(provider=other_provider.provider.pk) == {elsewhere.pk}
    assert shown(elder=someone.pk) == {named.pk}
    # a malformed month filters nothing and says so
    html = page(client, url, month="2025-13")
    assert "errorlist" in html


def test_current_versions_by_default_superseded_on_request(client, w):
    first = make_visit(w, provider_visit_id="V-CHAIN", check_in_at=local(date(2025, 10, 6)))
    ServiceVisit.objects.filter(pk=first.pk).update(is_current=False)
    second = make_visit(w, provider_visit_id="V-CHAIN", version=2, supersedes=first,
                        check_in_at=local(date(2025, 10, 6)),
                        correction_reason="时间录错")
    client.force_login(w.user)
    url = reverse("visits:visit_list")
    html = page(client, url)
    assert f'data-pk="{second.pk}"' in html
    assert f'data-pk="{first.pk}"' not in html
    html = page(client, url, all_versions="on")
    assert f'data-pk="{second.pk}"' in html
    assert f'data-pk="{first.pk}"' in html


def test_the_statement_link_shows_when_filtered_by_elder_and_month(client, w):
    make_visit(w, check_in_at=local(date(2025, 10, 6)))
    url = reverse("visits:visit_list")
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    statement = reverse("visits:statement", args=[w.elder.pk, "2025-10"])
    assert statement in page(client, url, elder=w.elder.pk, month="2025-10")
    assert statement not in page(client, url, month="2025-10")
    # the provider may not open elders' statements: no link
    client.force_login(w.user)
    assert statement not in page(client, url, elder=w.elder.pk, month="2025-10")


def test_the_detail_shows_the_visit_its_versions_and_submissions(client, w):
    row = visit_input(w, latitude="23.129100", longitude="113.264400",
                      notes="按摩与关节活动", confirmation="agent", confirmed_by_name="李先生")
    [first] = intake.submit(w.provider, [row], channel="api", user=w.user)
    corrected = visit_input(w, provider_visit_id=row.provider_visit_id,
                            check_in_at=row.check_in_at, minutes=50,
                            correction_reason="离开时间录错", notes="按摩与关节活动")
    [second] = intake.submit(w.provider, [corrected], channel="api", user=w.user)
    assert second.outcome == "accepted"
    assert second.version == 2
    street = staff(Role.STREET_STAFF, region=w.street)
    client.force_login(street)
    html = page(client, reverse("visits:visit_detail", args=[second.visit_id]))
    assert row.provider_visit_id in html
    assert w.elder.id_number_masked in html
    assert w.elder.id_number not in html
    assert "离开时间录错" in html
    assert 'data-version="1"' in html
    assert 'data-version="2"' in html
    assert reverse("visits:visit_detail", args=[first.visit_id]) in html
    assert html.count('data-outcome="accepted"') == 2
    assert 'id="visit-distance"' in html
    # reading it is logged against the elder
    assert AccessLog.objects.filter(user=street, object_id=str(w.elder.pk)).exists()
    # the first version says it was superseded; a street cannot correct
    html = page(client, reverse("visits:visit_detail", args=[first.visit_id]))
    assert 'id="visit-superseded"' in html
    assert 'id="correct-visit"' not in html


def test_the_provider_sees_its_refused_rows_until_one_is_accepted(client, w):
    short = visit_input(w, minutes=10)  # below the item's 30 minutes
    [refused] = intake.submit(w.provider, [short], channel="api", user=w.user)
    assert refused.outcome == "rejected"
    other = world(district=w.district, street=w.street)
    [theirs] = intake.submit(other.provider, [visit_input(other, minutes=10)], channel="api",
                             user=other.user)
    client.force_login(w.user)
    url = reverse("visits:rejected_list")
    html = page(client, url)
    submission = VisitSubmission.objects.get(pk=refused.submission_id)
    assert f'data-pk="{submission.pk}"' in html
    assert f'data-pk="{theirs.submission_id}"' not in html
    assert f'data-reason="{Reason.BELOW_MIN_DURATION}"' in html
    assert reverse("visits:resubmit", args=[submission.pk]) in html
    # the same row refused again for another reason: only the latest shows
    later = visit_input(w, provider_visit_id=short.provider_visit_id, minutes=10,
                        check_in_method="manual")
    [again] = intake.submit(w.provider, [later], channel="api", user=w.user)
    html = page(client, url)
    assert f'data-pk="{again.submission_id}"' in html
    assert f'data-pk="{submission.pk}"' not in html
    # corrected and accepted: no longer to correct
    fixed = visit_input(w, provider_visit_id=short.provider_visit_id, minutes=45)
    [accepted] = intake.submit(w.provider, [fixed], channel="api", user=w.user)
    assert accepted.outcome == "accepted"
    assert rows(page(client, url)) == 0


def test_correct_and_resubmit_a_refused_row(client, w):
    short = visit_input(w, minutes=10, notes="测血压")
    [refused] = intake.submit(w.provider, [short], channel="api", user=w.user)
    client.force_login(w.user)
    url = reverse("visits:resubmit", args=[refused.submission_id])
    html = page(client, url)
    # prefilled from what was sent, with the reasons shown
    check_in = timezone.localtime(short.check_in_at)
    assert f'value="{check_in:%Y-%m-%dT%H:%M}"' in html
    assert "测血压" in html
    assert f'data-reason="{Reason.BELOW_MIN_DURATION}"' in html
    assert f'<option value="{w.elder.pk}" selected>' in html
    data = {"elder": w.elder.pk, "service_item": w.rehab.pk, "caregiver": w.caregiver.pk,
            "check_in_at": f"{check_in:%Y-%m-%dT%H:%M}",
            "check_out_at": f"{check_in + timedelta(minutes=10):%Y-%m-%dT%H:%M}",
            "check_in_method": "card", "check_out_method": "card", "confirmation": "none",
            "notes": "测血压"}
    # still too short: refused again, the reason on the form, nothing accepted
    again = client.post(url, data)
    assert again.status_code == 200
    assert "errorlist" in again.content.decode() or "message error" in again.content.decode()
    assert not ServiceVisit.objects.filter(provider_visit_id=short.provider_visit_id).exists()
    data["check_out_at"] = f"{check_in + timedelta(minutes=40):%Y-%m-%dT%H:%M}"
    response = client.post(url, data)
    visit = ServiceVisit.objects.get(provider_visit_id=short.provider_visit_id)
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert visit.channel == "form"
    assert visit.version == 1
    # another provider cannot open it; an accepted row is not resubmitted
    client.force_login(staff(Role.PROVIDER_STAFF, provider=ProviderFactory(region=w.district)))
    assert client.get(url).status_code == 404


def test_the_menu_leads_the_caregiver_and_the_office(client, w):
    client.force_login(w.user)
    home = page(client, reverse("core:home"))
    for name in ("visits:mobile_today", "visits:visit_list", "visits:rejected_list"):
        assert f'href="{reverse(name)}"' in home
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    home = page(client, reverse("core:home"))
    assert f'href="{reverse("visits:visit_list")}"' in home
    assert f'href="{reverse("visits:mobile_today")}"' not in home


def test_the_admin_shows_visits_read_only(client, w):
    from django.core.files.base import ContentFile

    visit = make_visit(w, photo=ContentFile(b"\x89PNG photo", name="p.png"))
    district = staff(Role.DISTRICT_STAFF, region=w.district)
    client.force_login(district)
    listing = client.get("/admin/visits/servicevisit/")
    assert listing.status_code == 200
    assert visit.provider_visit_id in listing.content.decode()
    change = client.get(f"/admin/visits/servicevisit/{visit.pk}/change/")
    html = change.content.decode()
    assert change.status_code == 200
    assert reverse("visits:visit_photo", args=[visit.pk]) in html
    assert "/media/" not in html
    assert 'name="_save"' not in html
    assert client.get("/admin/visits/servicevisit/add/").status_code == 403
    for model in ("visitsubmission", "followup"):
        assert client.get(f"/admin/visits/{model}/").status_code == 200
    # another district's office: as if the visit did not exist
    client.force_login(staff(Role.DISTRICT_STAFF, region=RegionFactory.district()))
    assert client.get(f"/admin/visits/servicevisit/{visit.pk}/change/").status_code == 404
