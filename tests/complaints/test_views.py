"""Complaint screens: list and filters, recording (care managers too), the
detail with its history, taking up and resolving, scoping."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.complaints import services
from apps.complaints.models import Complaint, ComplaintStatus
from tests.complaints.factories import make_complaint
from tests.contracts.factories import ContractFactory
from tests.core.scope_walk import almighty
from tests.factories import ElderFactory, ProviderFactory, staff
from tests.visits.factories import local, make_visit, world

pytestmark = pytest.mark.django_db


def test_the_street_lists_its_complaints_with_filters(client, tree, street_user):
    provider = ProviderFactory(region=tree["district"])
    late = make_complaint(tree["street"], provider=provider,
                          received_on=timezone.localdate() - timedelta(days=60))
    recent = make_complaint(tree["street"], received_on=timezone.localdate())
    closed = make_complaint(tree["street"], received_on=date(2025, 9, 26))
    services.resolve(complaint=closed, resolution="Done", upheld=True,
                     closed_on=date(2025, 10, 1), by=street_user)
    make_complaint(tree["sibling"])
    client.force_login(street_user)
    url = reverse("complaints:complaint_list")
    response = client.get(url)
    assert set(response.context["object_list"]) == {late, recent, closed}
    assert f'data-pk="{late.pk}" data-status="open" data-overdue="1"' in response.content.decode()
    assert list(client.get(url, {"overdue": "on"}).context["object_list"]) == [late]
    assert list(client.get(url, {"provider": provider.pk}).context["object_list"]) == [late]
    assert list(client.get(url, {"status": "resolved"}).context["object_list"]) == [closed]
    assert list(client.get(url, {"year": "2025"}).context["object_list"]) == [closed]
    # an unknown provider matches nothing rather than everything
    assert list(client.get(url, {"provider": 0}).context["object_list"]) == []


def test_the_create_form_offers_the_providers_contracted_in_the_street(client, tree,
                                                                       street_user):
    contracted = ContractFactory(street=tree["street"], covered_area=[tree["street"]]).provider
    elsewhere = ContractFactory(street=tree["sibling"], covered_area=[tree["sibling"]]).provider
    client.force_login(street_user)
    form = client.get(reverse("complaints:complaint_create")).context["form"]
    providers = set(form.fields["provider"].queryset)
    assert contracted in providers
    assert elsewhere not in providers
    assert form.initial["street"] == tree["street"]
    assert "visit" not in form.fields


def test_a_street_records_a_complaint(client, tree, street_user):
    provider = ContractFactory(street=tree["street"], covered_area=[tree["street"]]).provider
    client.force_login(street_user)
    response = client.post(reverse("complaints:complaint_create"), {
        "provider": provider.pk, "street": tree["street"].pk,
        "received_on": "2025-09-26", "source": "phone", "category": "quality",
        "description": "The meals came cold", "complainant_name": "Daughter",
        "complainant_phone": "13800002222"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:complaint_detail", args=[complaint.pk])
    assert complaint.reference == f"TS-{tree['district'].code}-2025-0001"
    assert complaint.due_on == date(2025, 10, 23)
    assert complaint.recorded_by == street_user


def test_a_care_manager_may_record_a_complaint_about_an_elders_visit(client, tree):
    w = world(district=tree["district"], street=tree["street"])
    visit = make_visit(w, check_in_at=local(timezone.localdate() - timedelta(days=5)))
    manager = staff(Role.CARE_MANAGER, region=tree["street"])
    client.force_login(manager)
    url = f"{reverse('complaints:complaint_create')}?elder={w.elder.pk}"
    form = client.get(url).context["form"]
    assert list(form.fields["visit"].queryset) == [visit]
    response = client.post(url, {
        "provider": w.provider.pk, "street": tree["street"].pk,
        "received_on": timezone.localdate().isoformat(), "source": "window",
        "category": "time", "description": "Left early", "elder": w.elder.pk,
        "visit": visit.pk})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.elder, complaint.visit, complaint.recorded_by) == (w.elder, visit, manager)


def test_the_create_form_shows_service_errors_on_their_fields(client, tree, street_user):
    provider = ContractFactory(street=tree["street"], covered_area=[tree["street"]]).provider
    client.force_login(street_user)
    response = client.post(reverse("complaints:complaint_create"), {
        "provider": provider.pk, "street": tree["street"].pk,
        "received_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "source": "phone", "category": "quality", "description": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["received_on"]
    assert not Complaint.objects.exists()


def test_an_elder_out_of_scope_cannot_be_named(client, tree, street_user):
    other = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["sibling"])
    client.force_login(street_user)
    url = f"{reverse('complaints:complaint_create')}?elder={other.pk}"
    assert client.get(url).status_code == 404


def test_the_elder_search_lists_only_visible_elders(client, tree, street_user):
    mine = ElderFactory(name="Wang Mine", residence_street=tree["street"])
    ElderFactory(name="Wang Theirs", residence_street=tree["sibling"],
                 hukou_street=tree["sibling"])
    client.force_login(street_user)
    # the name is posted, kept for the page, and never put in its URL
    response = client.post(reverse("complaints:complaint_create"),
                           {"q": "Wang", "private_search": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("complaints:complaint_create"), 302)]
    assert list(response.context["elders"]) == [mine]


def test_the_complaint_is_taken_up_and_resolved_with_its_history(client, tree, street_user):
    complaint = make_complaint(tree["street"])
    client.force_login(street_user)
    detail = reverse("complaints:complaint_detail", args=[complaint.pk])
    assert 'id="handle-complaint"' in client.get(detail).content.decode()
    response = client.post(reverse("complaints:complaint_handle", args=[complaint.pk]),
                           {"provider_response": "We will reheat"})
    assert response.status_code == 302
    response = client.post(reverse("complaints:complaint_resolve", args=[complaint.pk]),
                           {"resolution": "Meals now delivered hot", "upheld": "yes",
                            "closed_on": "2025-10-10"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    response = client.get(detail)
    steps = response.context["history"]
    assert [str(step["what"]) for step in steps] == [
        gettext("Recorded"), str(ComplaintStatus.INVESTIGATING.label),
        str(ComplaintStatus.RESOLVED.label)]
    assert steps[1]["who"] == steps[2]["who"] == street_user.username
    html = response.content.decode()
    assert 'id="resolve-complaint"' not in html
    assert 'data-testid="upheld"' in html
    assert AccessLog.objects.filter(object_type="complaints.complaint",
                                    object_id=str(complaint.pk)).exists()


def test_resolving_twice_is_a_form_error(client, tree, street_user):
    complaint = make_complaint(tree["street"])
    services.resolve(complaint=complaint, resolution="Done", upheld=False,
                     closed_on=date(2025, 10, 1), by=street_user)
    client.force_login(street_user)
    response = client.post(reverse("complaints:complaint_resolve", args=[complaint.pk]),
                           {"resolution": "Again", "upheld": "yes", "closed_on": "2025-10-02"})
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]


def test_the_complaint_is_corrected(client, tree, street_user):
    complaint = make_complaint(tree["street"])
    client.force_login(street_user)
    response = client.post(reverse("complaints:complaint_update", args=[complaint.pk]), {
        "category": "safety", "description": "Heater left on", "complainant_name": "",
        "complainant_phone": "", "provider_response": ""})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.category == "safety"


def test_a_sibling_street_gets_404_everywhere(client, tree):
    complaint = make_complaint(tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["sibling"]))
    for name in ("complaint_detail", "complaint_update", "complaint_handle",
                 "complaint_resolve"):
        assert client.get(reverse(f"complaints:{name}", args=[complaint.pk])).status_code == 404
    assert list(client.get(reverse("complaints:complaint_list")).context["object_list"]) == []
    assert client.get(f"/api/complaints/{complaint.pk}/").status_code == 404


def test_providers_see_no_complaints_even_against_them(client, tree):
    provider = ProviderFactory(region=tree["district"])
    complaint = make_complaint(tree["street"], provider=provider)
    client.force_login(almighty(provider=provider))
    assert list(client.get(reverse("complaints:complaint_list")).context["object_list"]) == []
    assert client.get(reverse("complaints:complaint_detail",
                              args=[complaint.pk])).status_code == 404
    assert client.get("/api/complaints/").json()["count"] == 0
    client.force_login(staff(Role.PROVIDER_STAFF, provider=provider))
    assert client.get(reverse("complaints:complaint_list")).status_code == 403
