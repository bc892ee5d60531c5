"""The plan and agreement screens: they render, post through the services,
and show nobody what is not theirs."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.careplans import services
from apps.careplans.models import AgreementStatus, PlanStatus, ServiceAgreement, ServicePlan
from tests.careplans.factories import ServiceAgreementFactory
from tests.contracts.factories import ContractFactory
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def _plan(area, starts_on=MARCH):
    return services.write_plan(
        elder=area.elder, starts_on=starts_on, user=area.clerk, items=[
            {"service_item": area.life_care, "provider": area.provider, "times_per_month": 8},
            {"service_item": area.meals, "provider": area.provider, "times_per_month": 20}])


def _sign(area, provider=None, **kwargs):
    return services.sign_agreement(elder=area.elder, provider=provider or area.provider,
                                   items=[(area.meals, 20)], signed_on=date(2026, 2, 20),
                                   starts_on=MARCH, **kwargs)


def _rows(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def test_street_staff_write_a_plan_and_see_its_budget(client, area):
    client.force_login(area.clerk)
    url = reverse("careplans:plan_create", args=[area.elder.pk])
    # the form offers the contracted provider
    page = client.get(url)
    assert page.status_code == 200
    assert area.provider.name in page.content.decode()
    # when the plan is posted
    response = client.post(url, {
        "starts_on": "2026-03-01", "needs": "help at home", "note": "",
        **_rows("items", [
            {"service_item": area.life_care.pk, "provider": area.provider.pk,
             "times_per_month": "8", "units_per_time": "1"},
            {"service_item": area.meals.pk, "provider": area.provider.pk,
             "times_per_month": "20", "units_per_time": "1"},
            # an untouched blank row, as the browser sends it
            {"units_per_time": "1"}])})
    plan = ServicePlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("careplans:plan_detail", args=[plan.pk])
    # then its page shows the month: 624, of which 400 covered, 224 paid by the elder
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="budget-cost">624.00<' in html
    assert 'data-testid="budget-subsidy">400.00<' in html
    assert 'data-testid="budget-elder-pays">224.00<' in html
    assert AccessLog.objects.filter(object_id=str(area.elder.pk)).exists()


def test_a_refused_plan_shows_the_reason(client, area):
    elder = ElderFactory(residence_street=area.street, hukou_street=area.street)
    client.force_login(area.care_manager_user)
    response = client.post(reverse("careplans:plan_create", args=[elder.pk]), {
        "starts_on": "2026-03-01",
        **_rows("items", [{"service_item": area.meals.pk, "times_per_month": "4",
                           "units_per_time": "1"}])})
    assert response.status_code == 200
    assert "not_approved" in [e.code for e in response.context["form"].non_field_errors()
                              .as_data()]
    assert not ServicePlan.objects.exists()


def test_the_plan_page_lists_earlier_plans(client, area):
    first = _plan(area)
    second = _plan(area, starts_on=date(2026, 6, 1))
    client.force_login(area.officer)
    response = client.get(reverse("careplans:plan_detail", args=[second.pk]))
    assert list(response.context["history"]) == [first]
    assert f'data-pk="{first.pk}"' in response.content.decode()
    # the elder's plan link opens the one in force
    response = client.get(reverse("careplans:elder_plan", args=[area.elder.pk]))
    assert response["Location"] == reverse("careplans:plan_detail", args=[second.pk])
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED


def test_an_elder_without_a_plan_is_offered_one(client, area):
    client.force_login(area.clerk)
    response = client.get(reverse("careplans:elder_plan", args=[area.elder.pk]))
    assert response.status_code == 200
    assert 'id="write-plan"' in response.content.decode()


def test_the_plan_list_shows_budgets(client, area):
    _plan(area)
    client.force_login(area.clerk)
    response = client.get(reverse("careplans:plan_list"))
    assert response.status_code == 200
    [plan] = response.context["object_list"]
    assert plan.budget.elder_pays == Decimal("224.00")


@pytest.mark.parametrize("outsider", ["sibling_clerk", "other_officer"])
def test_outsiders_get_404_on_plans(client, area, outsider):
    plan = _plan(area)
    client.force_login(getattr(area, outsider))
    for url in (reverse("careplans:plan_detail", args=[plan.pk]),
                reverse("careplans:elder_plan", args=[area.elder.pk]),
                reverse("careplans:plan_create", args=[area.elder.pk]),
                reverse("careplans:agreement_sign", args=[area.elder.pk])):
        assert client.get(url).status_code == 404, url
    assert not client.get(reverse("careplans:plan_list")).context["object_list"]


def test_provider_staff_do_not_read_plans(client, area):
    plan = _plan(area)
    client.force_login(area.provider_user)
    assert client.get(reverse("careplans:plan_detail", args=[plan.pk])).status_code == 403
    assert client.get(reverse("careplans:plan_create",
                              args=[area.elder.pk])).status_code == 404


def test_a_hukou_street_that_does_not_serve_the_elder_cannot_write(client, area):
    # an elder registered in the sibling street (hukou) living in street A
    elder = ElderFactory(residence_street=area.street, hukou_street=area.tree["sibling"])
    EntitlementFactory(elder=elder, service_street=area.street)
    client.force_login(area.sibling_clerk)
    assert client.get(reverse("careplans:plan_create", args=[elder.pk])).status_code == 404


def test_signing_offers_the_contracted_providers(client, area, rival):
    _plan(area)
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_sign", args=[area.elder.pk])
    response = client.get(url)
    assert list(response.context["providers"]) == [rival, area.provider]
    # choosing the provider shows its prices and the plan's services for it
    response = client.get(f"{url}?provider={area.provider.pk}")
    assert response.context["contract"] == area.contract
    initial = [form.initial for form in response.context["formset"].initial_forms]
    assert [row["times_per_month"] for row in initial] == [8, 20]
    # and posting signs the agreement
    response = client.post(f"{url}?provider={area.provider.pk}", {
        "signed_on": "2026-02-20", "starts_on": "2026-03-01", "schedule": "Tue, Thu",
        **_rows("items", [{"service_item": area.life_care.pk, "times_per_month": "8"},
                          {"service_item": area.meals.pk, "times_per_month": ""}])})
    agreement = ServiceAgreement.objects.get()
    assert response["Location"] == reverse("careplans:agreement_detail", args=[agreement.pk])
    assert agreement.items.get(service_item=area.meals).times_per_month is None
    html = client.get(response["Location"]).content.decode()
    assert agreement.reference in html


def test_signing_refusals_are_shown(client, area):
    _sign(area)
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_sign", args=[area.elder.pk])
    response = client.post(f"{url}?provider={area.provider.pk}", {
        "signed_on": "2026-02-20", "starts_on": "2026-03-01",
        **_rows("items", [{"service_item": area.meals.pk, "times_per_month": "20"}])})
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["already_active"]
    assert ServiceAgreement.objects.count() == 1


def test_an_item_outside_the_contract_cannot_be_chosen(client, area):
    from tests.contracts.factories import service_item

    client.force_login(area.clerk)
    url = reverse("careplans:agreement_sign", args=[area.elder.pk])
    response = client.post(f"{url}?provider={area.provider.pk}", {
        "signed_on": "2026-02-20", "starts_on": "2026-03-01",
        **_rows("items", [{"service_item": service_item("RN-HOME").pk,
                           "times_per_month": "4"}])})
    assert response.status_code == 200
    assert response.context["formset"].errors[0]["service_item"]
    assert not ServiceAgreement.objects.exists()


def test_a_provider_not_contracted_for_the_area_is_not_offered(client, area):
    from tests.factories import ProviderFactory

    stranger = ProviderFactory(region=area.tree["district"])
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_sign", args=[area.elder.pk])
    response = client.get(f"{url}?provider={stranger.pk}")
    assert response.context["provider"] is None
    assert stranger not in response.context["providers"]


def test_providers_see_only_their_own_agreements(client, area, rival):
    mine = _sign(area)
    theirs = _sign(area, provider=rival)
    client.force_login(area.provider_user)
    response = client.get(reverse("careplans:agreement_list"))
    assert list(response.context["object_list"]) == [mine]
    assert client.get(reverse("careplans:agreement_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("careplans:agreement_detail",
                              args=[theirs.pk])).status_code == 404
    # and may not end one
    assert client.get(reverse("careplans:agreement_end", args=[mine.pk])).status_code == 403


def test_street_and_district_see_their_elders_agreements(client, area):
    agreement = _sign(area)
    elsewhere = ServiceAgreementFactory(elder=ElderFactory(
        residence_street=area.tree["other_street"]))
    for user in (area.clerk, area.officer):
        client.force_login(user)
        listed = client.get(reverse("careplans:agreement_list")).context["object_list"]
        assert list(listed) == [agreement]
    client.force_login(area.sibling_clerk)
    assert client.get(reverse("careplans:agreement_detail",
                              args=[agreement.pk])).status_code == 404
    assert not client.get(reverse("careplans:agreement_list")).context["object_list"]
    client.force_login(area.other_officer)
    assert list(client.get(reverse("careplans:agreement_list")).context["object_list"]) == [
        elsewhere]


def test_the_list_filters_by_elder_and_status(client, area):
    agreement = _sign(area)
    other = ServiceAgreementFactory(elder=ElderFactory(residence_street=area.street))
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_list")
    assert list(client.get(f"{url}?elder={area.elder.pk}").context["object_list"]) == [
        agreement]
    services.end_agreement(agreement=agreement, reason="breach", ended_on=date(2026, 4, 1))
    assert list(client.get(f"{url}?status=active").context["object_list"]) == [other]


def test_ending_asks_for_the_family_notice(client, area, rival):
    agreement = _sign(area)
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_end", args=[agreement.pk])
    page = client.get(url)
    assert [p.pk for p in page.context["form"].fields["referred_to"].queryset] == [rival.pk]
    response = client.post(url, {"end_reason": "infectious_disease",
                                 "ended_on": "2026-04-10"})
    assert response.status_code == 200
    assert response.context["form"].errors["family_notified_on"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    # with the day the family was notified, and a referral
    response = client.post(url, {"end_reason": "infectious_disease", "ended_on": "2026-04-10",
                                 "family_notified_on": "2026-04-09",
                                 "referred_to": rival.pk})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.referred_to) == (AgreementStatus.REFERRED, rival)
    html = client.get(reverse("careplans:agreement_detail", args=[agreement.pk])).content
    assert b'id="sign-referred"' in html


def test_only_art_17_grounds_are_offered(client, area):
    agreement = _sign(area)
    client.force_login(area.officer)
    form = client.get(reverse("careplans:agreement_end", args=[agreement.pk])).context["form"]
    assert [value for value, _label in form.fields["end_reason"].choices] == [
        "infectious_disease", "mental_illness", "breach", "impossible", "mutual_consent"]


def test_the_elder_page_links_plan_and_agreements(client, area):
    client.force_login(area.clerk)
    html = client.get(reverse("elders:elder_detail", args=[area.elder.pk])).content.decode()
    assert reverse("careplans:elder_plan", args=[area.elder.pk]) in html
    assert f'{reverse("careplans:agreement_list")}?elder={area.elder.pk}' in html


def test_the_admin_shows_but_does_not_change(client, area):
    agreement = _sign(area)
    client.force_login(area.officer)
    changelist = client.get(reverse("admin:careplans_serviceagreement_changelist"))
    assert changelist.status_code == 200
    assert agreement.reference in changelist.content.decode()
    assert client.get(reverse("admin:careplans_serviceagreement_add")).status_code == 403


def test_an_agreement_outside_the_plan_is_signed_with_a_warning(client, area):
    # given a plan holding canteen meals from the provider, not life care
    services.write_plan(elder=area.elder, starts_on=MARCH, items=[
        {"service_item": area.meals, "provider": area.provider, "times_per_month": 20}])
    client.force_login(area.clerk)
    url = reverse("careplans:agreement_sign", args=[area.elder.pk])
    # the form shows what the plan holds for the provider
    page = client.get(f"{url}?provider={area.provider.pk}").content.decode()
    assert 'id="planned-services"' in page
    assert 'data-item="ML-CANTEEN"' in page
    # when life care is agreed too
    response = client.post(f"{url}?provider={area.provider.pk}", {
        "signed_on": "2026-02-20", "starts_on": "2026-03-01",
        **_rows("items", [{"service_item": area.life_care.pk, "times_per_month": "8"},
                          {"service_item": area.meals.pk, "times_per_month": "20"}])},
        follow=True)
    # then it is signed, and the confirmation warns that the elder pays life care
    agreement = ServiceAgreement.objects.get()
    assert agreement.items.count() == 2
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert area.life_care.name in warnings[0]
    assert area.meals.name not in warnings[0]
    # and so does the agreement page
    html = client.get(reverse("careplans:agreement_detail", args=[agreement.pk])
                      ).content.decode()
    assert 'id="outside-plan"' in html
    assert 'data-item="LC-HOME"' in html
    assert 'data-item="ML-CANTEEN"' not in html


def test_an_agreement_within_the_plan_has_no_warning(client, area):
    _plan(area)
    agreement = _sign(area)
    client.force_login(area.clerk)
    html = client.get(reverse("careplans:agreement_detail", args=[agreement.pk])
                      ).content.decode()
    assert 'id="outside-plan"' not in html
    # a line naming no provider holds the item for any provider
    services.write_plan(elder=area.elder, starts_on=date(2026, 4, 1), items=[
        {"service_item": area.meals, "times_per_month": 20}])
    assert services.items_outside_plan(agreement) == []
    services.write_plan(elder=area.elder, starts_on=date(2026, 5, 1), items=[
        {"service_item": area.life_care, "times_per_month": 4}])
    assert services.items_outside_plan(agreement) == [area.meals]


def test_the_hukou_street_signs_with_a_provider_near_the_residence(client, area):
    # an elder of street C (district Two) living in street A (district One)
    hukou = area.tree["other_street"]
    elder = ElderFactory(residence_street=area.street, hukou_street=hukou)
    EntitlementFactory(elder=elder, service_street=hukou,
                       paying_district=area.tree["other_district"])
    hukou_provider = ProviderFactory(region=area.tree["other_district"])
    ContractFactory(street=hukou, provider=hukou_provider, covered_area=[hukou],
                    items=[(area.meals, Decimal("15.00"))])
    client.force_login(staff(Role.STREET_STAFF, region=hukou))
    url = reverse("careplans:agreement_sign", args=[elder.pk])
    # the providers offered are those contracted for where the elder lives
    assert list(client.get(url).context["providers"]) == [area.provider]
    response = client.post(f"{url}?provider={area.provider.pk}", {
        "signed_on": "2026-02-20", "starts_on": "2026-03-01",
        **_rows("items", [{"service_item": area.meals.pk, "times_per_month": "20"}])})
    assert response.status_code == 302
    assert ServiceAgreement.objects.get(elder=elder).provider == area.provider
