"""Care managers (Art 5): the street's staffing against 1:50, the
qualification flag, assignments that end when the next begins, one street,
and scoping."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.caremanagers import queries, rules
from apps.caremanagers.demo import build_demo_care_managers
from apps.caremanagers.models import CareManager, CaseAssignment, Qualification
from apps.caremanagers.services import assign
from apps.regions.models import Region
from tests.caremanagers.factories import CareManagerFactory
from tests.factories import ElderFactory, EntitlementFactory, staff

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


def _subsidised(street, count, **kwargs):
    elders = []
    for _ in range(count):
        elder = ElderFactory(residence_street=street, hukou_street=street)
        EntitlementFactory(elder=elder, **kwargs)
        elders.append(elder)
    return elders


def _staffing(street):
    return queries.staffing_of(street, timezone.localdate())


def test_fifty_subsidised_elders_per_qualified_manager_pass_and_fifty_one_flag(tree):
    street = tree["street"]
    CareManagerFactory(street=street)
    _subsidised(street, 50)
    _subsidised(street, 2, subsidy_class="own_cost")  # not subsidised: not counted
    staffing = _staffing(street)
    assert staffing.subsidised_elders == 50
    assert staffing.qualified_managers == 1
    assert rules.RATIO not in staffing.flags
    _subsidised(street, 1)
    assert rules.RATIO in _staffing(street).flags


def test_elders_without_a_qualified_manager_flag_and_unqualified_managers_flag(tree):
    street = tree["street"]
    _subsidised(street, 1)
    CareManagerFactory(street=street, qualification=Qualification.NONE,
                       certificate_number="")
    CareManagerFactory(street=street, active=False)  # gone: not counted
    staffing = _staffing(street)
    assert staffing.qualified_managers == 0
    assert staffing.unqualified_managers == 1
    assert staffing.flags == [rules.RATIO, rules.UNQUALIFIED, rules.UNASSIGNED]


def test_unassigned_subsidised_elders_are_counted(tree):
    street = tree["street"]
    manager = CareManagerFactory(street=street)
    first, second = _subsidised(street, 2)
    assign(elder=first, care_manager=manager, on=DAY)
    assert _staffing(street).unassigned_elders == 1
    assign(elder=second, care_manager=manager, on=DAY)
    assert rules.UNASSIGNED not in _staffing(street).flags


def test_elders_of_an_inactive_manager_count_as_unassigned(client, tree):
    # given two subsidised elders, each assigned to a care manager of the street
    street = tree["street"]
    staying, leaving = CareManagerFactory.create_batch(2, street=street)
    first, second = _subsidised(street, 2)
    assign(elder=first, care_manager=staying, on=DAY)
    assign(elder=second, care_manager=leaving, on=DAY)
    assert _staffing(street).unassigned_elders == 0
    # when one care manager leaves (active cleared, as in the admin)
    leaving.active = False
    leaving.save()
    # then their elder is without a care manager, and shown as with an inactive one
    staffing = _staffing(street)
    assert (staffing.unassigned_elders, staffing.with_inactive_managers) == (1, 1)
    assert rules.UNASSIGNED in staffing.flags
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    response = client.get(reverse("caremanagers:street_list"))
    [row] = [s.staffing for s in response.context["object_list"] if s.pk == street.pk]
    assert (row.unassigned_elders, row.with_inactive_managers) == (1, 1)
    html = response.content.decode()
    assert 'data-col="with-inactive-managers">1<' in html
    assert f'data-flag="{rules.UNASSIGNED}"' in html
    # the manager list shows the leaver still holding one elder to reassign
    html = client.get(reverse("caremanagers:manager_list")).content.decode()
    assert 'data-flag="to_reassign"' in html
    # and once reassigned to an active care manager, the elder counts as assigned again
    assign(elder=second, care_manager=staying, on=DAY + timedelta(days=1))
    staffing = _staffing(street)
    assert (staffing.unassigned_elders, staffing.with_inactive_managers) == (0, 0)
    assert rules.UNASSIGNED not in staffing.flags


def test_a_qualified_manager_needs_a_certificate_number(tree):
    manager = CareManager(street=tree["street"], name="X", qualification="junior",
                          since=DAY)
    with pytest.raises(ValidationError) as caught:
        manager.full_clean()
    assert caught.value.error_dict["certificate_number"][0].code == "certificate_required"


def test_reassigning_ends_the_previous_assignment_the_day_before(tree):
    street = tree["street"]
    first_manager, second_manager = CareManagerFactory.create_batch(2, street=street)
    (elder,) = _subsidised(street, 1)
    first = assign(elder=elder, care_manager=first_manager, on=DAY)
    second = assign(elder=elder, care_manager=second_manager, on=DAY + timedelta(days=10))
    first.refresh_from_db()
    assert first.ends_on == DAY + timedelta(days=9)
    assert second.ends_on is None
    assert list(CaseAssignment.objects.open().filter(elder=elder)) == [second]
    with pytest.raises(ValidationError) as caught:
        assign(elder=elder, care_manager=first_manager, on=DAY + timedelta(days=10))
    assert caught.value.error_dict["on"][0].code == "before_current"


def test_one_open_assignment_per_elder_is_a_database_rule(tree):
    street = tree["street"]
    manager = CareManagerFactory(street=street)
    elder = ElderFactory(residence_street=street, hukou_street=street)
    CaseAssignment.objects.create(elder=elder, care_manager=manager, starts_on=DAY)
    with pytest.raises(IntegrityError):
        CaseAssignment.objects.create(elder=elder, care_manager=manager, starts_on=DAY)


def test_a_manager_of_another_street_is_refused(tree):
    (elder,) = _subsidised(tree["street"], 1)
    sibling_manager = CareManagerFactory(street=tree["sibling"])
    with pytest.raises(ValidationError) as caught:
        assign(elder=elder, care_manager=sibling_manager, on=DAY)
    assert caught.value.error_dict["care_manager"][0].code == "other_street"


def test_the_entitlements_service_street_wins_over_the_residence(tree):
    elder = ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    EntitlementFactory(elder=elder, service_street=tree["sibling"])
    assert assign(elder=elder, care_manager=CareManagerFactory(street=tree["sibling"]),
                  on=DAY).ends_on is None
    with pytest.raises(ValidationError):
        assign(elder=elder, care_manager=CareManagerFactory(street=tree["street"]),
               on=DAY + timedelta(days=1))
    unentitled = ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    assert assign(elder=unentitled, care_manager=CareManagerFactory(street=tree["street"]),
                  on=DAY).pk


def test_district_view_lists_every_street_in_one_query(client, tree,
                                                       django_assert_num_queries):
    street = tree["street"]
    CareManagerFactory(street=street)
    _subsidised(street, 51)
    with django_assert_num_queries(1):
        counted = {s.pk: s.subsidised_elders for s in queries.with_staffing(
            Region.objects.filter(parent=tree["district"]))}
    assert counted == {street.pk: 51, tree["sibling"].pk: 0}
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    response = client.get(reverse("caremanagers:street_list"))
    rows = {s.pk: s.staffing for s in response.context["object_list"]}
    assert set(rows) == {street.pk, tree["sibling"].pk}
    assert rows[street.pk].flags == [rules.RATIO, rules.UNASSIGNED]
    assert rows[tree["sibling"].pk].flags == []


def test_street_screens_and_assigning_through_the_form(client, tree):
    street = tree["street"]
    manager = CareManagerFactory(street=street, name="陈管理员")
    other = CareManagerFactory(street=street, name="黄管理员")
    (elder,) = _subsidised(street, 1)
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    html = client.get(reverse("caremanagers:manager_list")).content.decode()
    assert "陈管理员" in html
    response = client.post(reverse("caremanagers:assign"), {
        "elder": elder.pk, "care_manager": manager.pk, "on": DAY.isoformat()})
    assert response.status_code == 302
    html = client.get(reverse("caremanagers:caseload", args=[manager.pk])).content.decode()
    assert elder.name in html
    response = client.post(reverse("caremanagers:assign"), {
        "elder": elder.pk, "care_manager": other.pk, "on": (DAY + timedelta(1)).isoformat()})
    assert response.status_code == 302
    assert CaseAssignment.objects.get(elder=elder, care_manager=manager).ends_on == DAY


def test_a_refused_assignment_shows_the_field_error(client, tree):
    (elder,) = _subsidised(tree["street"], 1)
    sibling_manager = CareManagerFactory(street=tree["sibling"])
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    response = client.post(reverse("caremanagers:assign"), {
        "elder": elder.pk, "care_manager": sibling_manager.pk, "on": DAY.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["care_manager"]
    assert not CaseAssignment.objects.exists()


def test_the_street_assigns_its_care_managers_and_the_care_manager_only_reads(client, tree):
    # Art 5: the street employs the care managers and assigns their elders
    manager = CareManagerFactory(street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    assert client.get(reverse("caremanagers:caseload", args=[manager.pk])).status_code == 200
    assert client.get(reverse("caremanagers:assign")).status_code == 200
    client.force_login(staff(Role.CARE_MANAGER, region=tree["street"]))
    assert client.get(reverse("caremanagers:assign")).status_code == 403


def test_a_care_manager_sees_their_own_caseload(client, tree):
    user = staff(Role.CARE_MANAGER, region=tree["street"])
    manager = CareManagerFactory(street=tree["street"], user=user)
    client.force_login(user)
    response = client.get(reverse("caremanagers:manager_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("caremanagers:caseload", args=[manager.pk])


def test_a_sibling_streets_user_gets_404(client, tree):
    manager = CareManagerFactory(street=tree["street"])
    (elder,) = _subsidised(tree["street"], 1)
    assignment = assign(elder=elder, care_manager=manager, on=DAY)
    client.force_login(staff(Role.STREET_STAFF, region=tree["sibling"]))
    assert client.get(reverse("caremanagers:caseload", args=[manager.pk])).status_code == 404
    assert client.get(f"/api/care-managers/{manager.pk}/").status_code == 404
    assert client.get(f"/api/case-assignments/{assignment.pk}/").status_code == 404
    assert client.get("/api/care-managers/").json()["count"] == 0


def test_api_lists_caseloads_and_assigns_through_the_service(client, tree):
    street = tree["street"]
    manager = CareManagerFactory(street=street)
    sibling_manager = CareManagerFactory(street=tree["sibling"])
    (elder,) = _subsidised(street, 1)
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    response = client.post("/api/case-assignments/", {
        "elder": elder.pk, "care_manager": manager.pk, "starts_on": DAY.isoformat()},
        content_type="application/json")
    assert response.status_code == 201
    assert response.json()["ends_on"] is None
    rows = {r["id"]: r for r in client.get("/api/care-managers/").json()["results"]}
    assert rows[manager.pk]["caseload"] == 1
    assert rows[manager.pk]["qualified"] is True
    refused = client.post("/api/case-assignments/", {
        "elder": elder.pk, "care_manager": sibling_manager.pk,
        "starts_on": (DAY + timedelta(1)).isoformat()}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["care_manager"][0]
    client.force_login(staff(Role.CARE_MANAGER, region=street))
    assert client.post("/api/case-assignments/", {}, content_type="application/json") \
        .status_code == 403


def test_demo_is_idempotent_and_shares_the_subsidised_elders(tree):
    street = tree["street"]
    user = staff(Role.CARE_MANAGER, region=street)
    _subsidised(street, 3)
    first = build_demo_care_managers(street)
    second = build_demo_care_managers(Region.objects.get(pk=street.pk))
    assert [m.pk for m in first] == [m.pk for m in second]
    assert CareManager.objects.filter(street=street).count() == 2
    assert first[0].is_qualified
    assert not first[1].is_qualified
    assert first[0].user == user
    assert CaseAssignment.objects.open().count() == 3
    assert _staffing(street).unassigned_elders == 0
