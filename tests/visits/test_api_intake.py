"""The bulk API: every reason code and flag triggered through
POST /api/visits/bulk/, idempotent resubmission, corrections."""

from datetime import date, timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.contracts.models import TenderBar
from apps.policy.models import PolicyValue
from apps.subsidies.models import Entitlement
from apps.visits.models import IntakeBatch, ServiceVisit, VisitSubmission
from apps.visits.reasons import Flag, Reason
from apps.visits.tokens import issue_token
from tests.factories import ElderFactory, EntitlementFactory, staff
from tests.providers.factories import StaffMemberFactory
from tests.visits.factories import (
    LIFE_CARE,
    REHAB,
    add_elder,
    item,
    local,
    make_agreement,
    make_visit,
    visit_payload,
    world,
)

pytestmark = pytest.mark.django_db

URL = "/api/visits/bulk/"


def last_month(day: int) -> date:
    """A day of last month: always in the past, and a whole month to count in."""
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=day)


DAY = last_month(10)


@pytest.fixture
def w():
    return world()


@pytest.fixture
def api(w):
    _token, raw = issue_token(w.provider, "scheduling system", w.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def post(api, *rows):
    response = api.post(URL, {"visits": list(rows)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def row(w, hour=9, day=DAY, **fields):
    """A row of the world's elder at ``hour`` on ``day``; ``fields`` override the
    payload's values (a text check-in time included)."""
    text = {key: fields.pop(key) for key in ("check_in_at", "check_out_at") if key in fields}
    return {**visit_payload(w, check_in_at=local(day, hour), **fields), **text}


def only(api, *rows):
    """The single result of a batch."""
    [result] = post(api, *rows)["results"]
    return result


def codes(result) -> set[tuple[str, str]]:
    return {(reason["code"], reason["field"]) for reason in result["reasons"]}


def refused(result, code, field):
    assert result["outcome"] == "rejected", result
    assert (code, field) in codes(result), result
    assert result["visit_id"] is None


# --- accepted rows -------------------------------------------------------------------


def test_accepted_row_is_a_visit_and_a_submission(w, api):
    body = post(api, row(w, provider_visit_id="A-1", latitude="23.129200",
                         longitude="113.264500"))
    assert (body["accepted"], body["rejected"], body["unchanged"]) == (1, 0, 0)
    [result] = body["results"]
    assert result == {"provider_visit_id": "A-1", "row_number": 1, "outcome": "accepted",
                      "reasons": [], "flags": [], "visit_id": result["visit_id"],
                      "version": 1, "unchanged": False}
    visit = ServiceVisit.objects.get(pk=result["visit_id"])
    assert visit.elder == w.elder
    assert visit.agreement == w.agreement
    assert visit.caregiver == w.caregiver
    assert visit.service_item == w.rehab
    assert visit.service_date == DAY
    assert visit.channel == "api"
    assert (visit.units, visit.unit_price, visit.amount) == (
        Decimal("1.00"), Decimal("50.00"), Decimal("50.00"))
    assert visit.distance_m is not None
    assert visit.distance_m < 50
    assert visit.submitted_by.api_token.provider == w.provider
    submission = VisitSubmission.objects.get(visit=visit)
    assert submission.outcome == "accepted"
    assert submission.batch_id == body["batch"]
    assert w.elder.id_number not in str(submission.payload)
    assert submission.payload["elder_id_number"] == w.elder.id_number_masked
    assert len(submission.payload_hash) == 64
    batch = IntakeBatch.objects.get(pk=body["batch"])
    assert (batch.channel, batch.rows, batch.accepted) == ("api", 1, 1)


def test_hourly_item_units_are_the_duration_rounded_down_to_the_half_hour(w, api):
    body = post(api, row(w, hour=8, code=LIFE_CARE, minutes=95),
                row(w, hour=11, code=LIFE_CARE, minutes=60),
                row(w, hour=14, code=LIFE_CARE, minutes=70, units="1.5"))
    visits = [ServiceVisit.objects.get(pk=r["visit_id"]) for r in body["results"]]
    assert [(v.units, v.amount) for v in visits] == [
        (Decimal("1.50"), Decimal("57.00")), (Decimal("1.00"), Decimal("38.00")),
        (Decimal("1.50"), Decimal("57.00"))]


def test_units_beyond_what_the_visit_allows(w, api):
    """An hourly item at most the duration rounded up to the half hour, a
    per-visit item exactly 1, a per-day item at most the calendar days the
    stay spans; meals and months as given; units not positive are invalid."""
    from apps.careplans.models import AgreementItem

    for code in ("DC-DAY", "ML-CANTEEN", "EC-PINGAN"):
        AgreementItem.objects.create(agreement=w.agreement, service_item=item(code),
                                     unit_price=Decimal("20.00"))
    body = post(api,
                row(w, hour=8, code=LIFE_CARE, minutes=70, units="1.5"),
                row(w, hour=10, code=LIFE_CARE, minutes=70, units="2"),
                row(w, hour=12, units="2"),
                row(w, hour=13, units="0.5"),
                row(w, hour=14, units="1"),
                row(w, hour=15, units="0"))
    rounded_up, too_many_hours, two_visits, half_visit, one_visit, nothing = body["results"]
    assert rounded_up["outcome"] == one_visit["outcome"] == "accepted"
    refused(too_many_hours, Reason.UNITS_EXCEED_DURATION, "units")
    assert "1.5" in too_many_hours["reasons"][0]["message"]
    refused(two_visits, Reason.UNITS_EXCEED_DURATION, "units")
    refused(half_visit, Reason.INVALID, "units")
    refused(nothing, Reason.INVALID, "units")
    # a stay of two nights spans three calendar days; a meal, a month as given
    stay = [StaffMemberFactory(provider=w.provider) for _ in range(3)]
    days = post(api,
                row(w, hour=9, day=DAY + timedelta(days=3), code="DC-DAY", minutes=48 * 60,
                    units="3", caregiver=stay[0]),
                row(w, hour=9, day=DAY + timedelta(days=6), code="DC-DAY", minutes=48 * 60,
                    units="4", caregiver=stay[1]),
                row(w, hour=9, day=DAY + timedelta(days=9), code="ML-CANTEEN", minutes=30,
                    units="3", caregiver=stay[2]),
                row(w, hour=12, day=DAY + timedelta(days=9), code="EC-PINGAN", minutes=5,
                    units="2", caregiver=stay[2]))["results"]
    assert [r["outcome"] for r in days] == ["accepted", "rejected", "accepted", "accepted"]
    refused(days[1], Reason.UNITS_EXCEED_DURATION, "units")


def test_a_row_may_carry_several_reasons_each_with_its_field(w, api):
    result = only(api, row(w, minutes=20, check_in_method="manual", service_item=REHAB))
    assert codes(result) == {("below_min_duration", "check_out_at"),
                             ("manual_reason_required", "check_in_reason")}


# --- the row itself ----------------------------------------------------------------------


def test_invalid_fields(w, api):
    body = post(api,
                row(w, hour=8, check_in_at="yesterday morning"),
                row(w, hour=9, service_item="", caregiver="abc"),
                row(w, hour=10, latitude="23.1"),
                row(w, hour=11, units="-1", check_in_method="swipe"))
    first, second, third, fourth = body["results"]
    refused(first, Reason.INVALID, "check_in_at")
    refused(second, Reason.INVALID, "service_item")
    refused(second, Reason.INVALID, "caregiver")
    refused(third, Reason.INVALID, "longitude")
    refused(fourth, Reason.INVALID, "units")
    refused(fourth, Reason.INVALID, "check_in_method")
    assert VisitSubmission.objects.count() == 4
    assert ServiceVisit.objects.count() == 0


def test_missing_elder_and_visit_id_are_invalid(w, api):
    result = only(api, {**row(w, elder_id_number=""), "provider_visit_id": ""})
    refused(result, Reason.INVALID, "provider_visit_id")
    refused(result, Reason.INVALID, "elder_id_number")


def test_the_same_id_twice_in_a_batch(w, api):
    body = post(api, row(w, hour=8, provider_visit_id="D-1"),
                row(w, hour=11, provider_visit_id="D-1"))
    first, second = body["results"]
    assert first["outcome"] == "accepted"
    refused(second, Reason.DUPLICATE_IN_BATCH, "provider_visit_id")
    assert ServiceVisit.objects.count() == 1


def test_future_date(w, api):
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused(only(api, row(w, day=tomorrow)), Reason.FUTURE_DATE, "check_in_at")
    # a check-out a few minutes ahead is the clock of a phone, not the future
    now = timezone.localtime()
    fine = visit_payload(w, check_in_at=now - timedelta(minutes=40), minutes=43)
    assert only(api, fine)["outcome"] == "accepted"
    late = visit_payload(w, check_in_at=now - timedelta(minutes=40), minutes=60,
                         caregiver=StaffMemberFactory(provider=w.provider))
    refused(only(api, late), Reason.FUTURE_DATE, "check_out_at")


def test_check_out_before_check_in(w, api):
    result = only(api, row(w, minutes=-10))
    refused(result, Reason.CHECKOUT_BEFORE_CHECKIN, "check_out_at")
    refused(only(api, row(w, minutes=0)), Reason.CHECKOUT_BEFORE_CHECKIN, "check_out_at")


def test_below_the_items_minimum_duration(w, api):
    """Art 24: rehabilitation nursing at least 30 minutes, home life care an hour."""
    body = post(api, row(w, hour=8, minutes=29), row(w, hour=10, minutes=30),
                row(w, hour=12, code=LIFE_CARE, minutes=59),
                row(w, hour=14, code=LIFE_CARE, minutes=60))
    short_rehab, rehab, short_care, care = body["results"]
    refused(short_rehab, Reason.BELOW_MIN_DURATION, "check_out_at")
    refused(short_care, Reason.BELOW_MIN_DURATION, "check_out_at")
    assert rehab["outcome"] == care["outcome"] == "accepted"


def test_manual_entry_needs_a_reason(w, api):
    body = post(api, row(w, hour=8, check_in_method="manual"),
                row(w, hour=10, check_out_method="manual"),
                row(w, hour=12, check_in_method="手工", check_out_method="",
                    check_in_reason="卡遗失"))
    no_reason, no_out_reason, with_reason = body["results"]
    refused(no_reason, Reason.MANUAL_REASON_REQUIRED, "check_in_reason")
    refused(no_out_reason, Reason.MANUAL_REASON_REQUIRED, "check_out_reason")
    assert with_reason["outcome"] == "accepted"
    visit = ServiceVisit.objects.get(pk=with_reason["visit_id"])
    assert (visit.check_in_method, visit.check_out_method) == ("manual", "manual")
    assert visit.check_out_reason == "卡遗失"


def test_a_card_swipe_is_only_for_a_local_elder(w, api):
    """Art 16: a non-local elder has no citizen card; the provider enters the visit."""
    outsider = add_elder(w, local_hukou=False)["elder"]
    refused(only(api, row(w, hour=8, elder=outsider)), Reason.CARD_NOT_ISSUED,
            "check_in_method")
    manual = row(w, hour=10, elder=outsider, check_in_method="manual",
                 check_out_method="manual", check_in_reason="非本市户籍")
    assert only(api, manual)["outcome"] == "accepted"


def test_a_manual_entry_for_a_local_elder_is_accepted_and_flagged(w, api):
    """Art 16 expects a local-hukou elder's citizen card: a manual check-in or
    check-out is accepted with its reason, and flagged for the audit."""
    outsider = add_elder(w, local_hukou=False)["elder"]
    body = post(api,
                row(w, hour=8, check_in_method="manual", check_in_reason="忘带卡"),
                row(w, hour=10, check_out_method="manual", check_out_reason="读卡器故障"),
                row(w, hour=12),
                row(w, hour=14, elder=outsider, check_in_method="manual",
                    check_out_method="manual", check_in_reason="非本市户籍"))
    manual_in, manual_out, card, outsider_manual = body["results"]
    assert all(r["outcome"] == "accepted" for r in body["results"])
    assert manual_in["flags"] == manual_out["flags"] == [Flag.MANUAL_FOR_LOCAL]
    assert card["flags"] == outsider_manual["flags"] == []
    assert ServiceVisit.objects.get(pk=manual_in["visit_id"]).flags == [Flag.MANUAL_FOR_LOCAL]


def test_a_correction_needs_a_reason_and_becomes_version_2(w, api):
    first = only(api, row(w, provider_visit_id="C-1", notes="洗漱"))
    changed = row(w, provider_visit_id="C-1", notes="洗漱、散步", minutes=50)
    refused(only(api, changed), Reason.CORRECTION_REASON_REQUIRED, "correction_reason")
    assert ServiceVisit.objects.get(pk=first["visit_id"]).is_current
    corrected = only(api, {**changed, "correction_reason": "漏记散步"})
    # the old version is not an overlap of its own correction
    assert corrected["outcome"] == "accepted"
    assert corrected["version"] == 2
    old, new = ServiceVisit.objects.get(pk=first["visit_id"]), ServiceVisit.objects.get(
        pk=corrected["visit_id"])
    assert not old.is_current
    assert new.is_current
    assert new.supersedes == old
    assert new.correction_reason == "漏记散步"
    assert new.notes == "洗漱、散步"
    detail = api.get(f"/api/visits/{new.pk}/").json()
    assert [(v["version"], v["is_current"]) for v in detail["versions"]] == [
        (1, False), (2, True)]
    # the first version sent again is no change: it answers the current version
    again = only(api, row(w, provider_visit_id="C-1", notes="洗漱"))
    assert (again["outcome"], again["unchanged"]) == ("accepted", True)
    assert (again["visit_id"], again["version"]) == (new.pk, 2)
    # a third content is a correction again, and needs its reason
    refused(only(api, row(w, provider_visit_id="C-1", notes="散步")),
            Reason.CORRECTION_REASON_REQUIRED, "correction_reason")


# --- who and what ----------------------------------------------------------------------


def test_an_elder_outside_the_providers_agreements_reads_as_unknown(w, api):
    stranger = ElderFactory(residence_street=w.street)  # registered, no agreement
    other = world(district=w.district, street=w.street)  # another provider's client
    results = post(api, row(w, hour=8, elder=stranger), row(w, hour=10, elder=other.elder),
                   row(w, hour=12, elder_id_number="440106195001010018"))["results"]
    for result in results:
        refused(result, Reason.ELDER_UNKNOWN, "elder_id_number")
    # the answer is the same whether the number is registered or not
    assert len({str(r["reasons"]) for r in results}) == 1
    assert all(s.elder_id is None for s in VisitSubmission.objects.all())


def test_unknown_item_and_caregiver(w, api):
    gone = StaffMemberFactory(provider=w.provider, active=False)
    elsewhere = StaffMemberFactory()
    body = post(api, row(w, hour=8, service_item="XX-NONE"),
                row(w, hour=10, caregiver=gone), row(w, hour=12, caregiver=elsewhere),
                row(w, hour=14, caregiver="99999999"))
    item_row, *caregivers = body["results"]
    refused(item_row, Reason.ITEM_UNKNOWN, "service_item")
    for result in caregivers:
        refused(result, Reason.CAREGIVER_UNKNOWN, "caregiver")


# --- the elder on the service date (Art 32) -----------------------------------------------


def test_elder_not_approved(w, api):
    never = add_elder(w, entitlement=False)["elder"]
    later = add_elder(w, entitlement=False)["elder"]
    EntitlementFactory(elder=later, valid_from=timezone.localdate().replace(day=1))
    for elder in (never, later):
        refused(only(api, row(w, elder=elder)), Reason.ELDER_NOT_APPROVED, "elder_id_number")


def _ended(w, end_reason="", status="ended", **fields):
    rows = add_elder(w)
    Entitlement.objects.filter(pk=rows["entitlement"].pk).update(
        valid_until=DAY - timedelta(days=5), status=status, end_reason=end_reason, **fields)
    return rows["elder"]


def test_elder_terminated(w, api):
    for elder in (_ended(w, "reassessed"), _ended(w, "fraud", status="cancelled",
                                                  cancelled_on=DAY)):
        refused(only(api, row(w, elder=elder)), Reason.ELDER_TERMINATED, "elder_id_number")
    cancelled = add_elder(w)
    Entitlement.objects.filter(pk=cancelled["entitlement"].pk).update(status="cancelled")
    refused(only(api, row(w, elder=cancelled["elder"])), Reason.ELDER_TERMINATED,
            "elder_id_number")


def test_elder_moved(w, api):
    by_status = add_elder(w, life_status="moved_away", life_status_since=DAY)["elder"]
    by_entitlement = _ended(w, "moved_away")
    for elder in (by_status, by_entitlement, _ended(w, "moved")):
        refused(only(api, row(w, elder=elder)), Reason.ELDER_MOVED, "elder_id_number")
    earlier = row(w, elder=by_status, day=DAY - timedelta(days=1))
    assert only(api, earlier)["outcome"] == "accepted"


def test_elder_deceased(w, api):
    by_status = add_elder(w, life_status="deceased", life_status_since=DAY)["elder"]
    for elder in (by_status, _ended(w, "deceased")):
        result = only(api, row(w, elder=elder))
        refused(result, Reason.ELDER_DECEASED, "elder_id_number")
    assert only(api, row(w, elder=by_status, day=DAY - timedelta(days=1)))[
        "outcome"] == "accepted"


# --- the agreement and the provider on the service date ---------------------------------------


def test_no_agreement_in_force(w, api):
    ended = add_elder(w, agreement=False)
    make_agreement(ended["elder"], w.provider, w.contract, status="ended",
                   ended_on=DAY - timedelta(days=1), end_reason="mutual_consent")
    future = add_elder(w, agreement=False)
    make_agreement(future["elder"], w.provider, w.contract, starts_on=DAY + timedelta(days=1))
    for elder in (ended["elder"], future["elder"]):
        refused(only(api, row(w, elder=elder)), Reason.NO_AGREEMENT, "elder_id_number")


def test_item_not_in_the_agreement(w, api):
    result = only(api, row(w, code="LC-BATH"))
    refused(result, Reason.ITEM_NOT_IN_AGREEMENT, "service_item")


def test_provider_without_a_contract_for_the_elders_street(w, api):
    from apps.contracts.models import Contract

    Contract.objects.filter(pk=w.contract.pk).update(
        status="ended", ended_on=DAY - timedelta(days=1), end_reason="breach")
    refused(only(api, row(w)), Reason.PROVIDER_NO_CONTRACT, "provider")
    # before the contract ended the visit stands
    assert only(api, row(w, day=DAY - timedelta(days=2)))["outcome"] == "accepted"


def test_provider_contract_not_covering_the_street(w, api):
    from tests.factories import RegionFactory

    elsewhere = RegionFactory.street(w.district)
    elder = add_elder(elsewhere, provider=w.provider, contract=w.contract)["elder"]
    refused(only(api, row(w, elder=elder)), Reason.PROVIDER_NO_CONTRACT, "provider")


def test_the_contract_must_cover_where_the_elder_lives_whatever_the_hukou(w, api):
    """Art 30: the provider near the residence. An elder of another
    district's hukou living in the contract's street is served; one of the
    contract's hukou street living in another district is not, unless the
    contract covers the community lived in."""
    from apps.elders.models import Elder
    from tests.factories import RegionFactory

    elsewhere = RegionFactory.district()
    their_street = RegionFactory.street(elsewhere)
    incomer = add_elder(w)["elder"]
    Elder.objects.filter(pk=incomer.pk).update(hukou_street=their_street)
    assert only(api, row(w, hour=8, elder=incomer))["outcome"] == "accepted"

    leaver = add_elder(their_street, provider=w.provider, contract=w.contract)["elder"]
    Elder.objects.filter(pk=leaver.pk).update(hukou_street=w.street)
    refused(only(api, row(w, hour=10, elder=leaver)), Reason.PROVIDER_NO_CONTRACT, "provider")

    community = RegionFactory.community(their_street)
    Elder.objects.filter(pk=leaver.pk).update(community=community)
    w.contract.covered_area.add(community)
    assert only(api, row(w, hour=12, elder=leaver))["outcome"] == "accepted"


def test_provider_barred(w, api):
    TenderBar.objects.create(provider=w.provider, starts_on=DAY - timedelta(days=1),
                             lifts_on=DAY + timedelta(days=700), reason="Art 25")
    refused(only(api, row(w)), Reason.PROVIDER_BARRED, "provider")
    assert only(api, row(w, day=DAY - timedelta(days=2)))["outcome"] == "accepted"


# --- against other visits ----------------------------------------------------------------


def test_caregiver_overlap_with_a_stored_visit_and_within_the_batch(w, api):
    other = add_elder(w)["elder"]
    make_visit(w, check_in_at=local(DAY, 9), minutes=60, elder=other)
    refused(only(api, row(w, hour=9)), Reason.CAREGIVER_OVERLAP, "caregiver")
    first, second = post(api, row(w, hour=14), row(w, hour=14, elder=other))["results"]
    assert first["outcome"] == "accepted"
    refused(second, Reason.CAREGIVER_OVERLAP, "caregiver")


def test_elder_overlap_with_another_caregiver_or_provider(w, api):
    colleague = StaffMemberFactory(provider=w.provider)
    make_visit(w, check_in_at=local(DAY, 9), minutes=60, caregiver=colleague)
    refused(only(api, row(w, hour=9)), Reason.ELDER_OVERLAP, "elder_id_number")
    # another provider's visit of the same elder
    other = world(district=w.district, street=w.street)
    make_agreement(w.elder, other.provider, other.contract)
    make_visit(other, check_in_at=local(DAY, 15), minutes=60, elder=w.elder,
               agreement=w.elder.service_agreements.get(provider=other.provider))
    refused(only(api, row(w, hour=15)), Reason.ELDER_OVERLAP, "elder_id_number")
    first, second = post(api, row(w, hour=19), row(w, hour=19, caregiver=colleague))[
        "results"]
    assert first["outcome"] == "accepted"
    refused(second, Reason.ELDER_OVERLAP, "elder_id_number")


def test_only_visits_that_need_the_elder_at_home_overlap(w, api):
    """A canteen meal (unit: meal) during a home visit is no clash for the
    elder; two home visits are. The caregiver is at one place at a time,
    whatever the item."""
    from apps.careplans.models import AgreementItem

    AgreementItem.objects.create(agreement=w.agreement, service_item=item("ML-CANTEEN"),
                                 unit_price=Decimal("10.00"))
    canteen = StaffMemberFactory(provider=w.provider)
    nurse = StaffMemberFactory(provider=w.provider)
    make_visit(w, check_in_at=local(DAY, 11), minutes=90)  # a home visit, 11:00-12:30
    meal = only(api, row(w, hour=12, code="ML-CANTEEN", minutes=30, caregiver=canteen))
    assert meal["outcome"] == "accepted", meal
    refused(only(api, row(w, hour=12, caregiver=nurse)), Reason.ELDER_OVERLAP,
            "elder_id_number")
    refused(only(api, row(w, hour=12, code="ML-CANTEEN", minutes=20)),
            Reason.CAREGIVER_OVERLAP, "caregiver")
    # within one batch too, whichever comes first
    first, second, third = post(
        api, row(w, hour=17, code="ML-CANTEEN", minutes=30, caregiver=canteen),
        row(w, hour=17), row(w, hour=17, caregiver=nurse))["results"]
    assert (first["outcome"], second["outcome"]) == ("accepted", "accepted")
    refused(third, Reason.ELDER_OVERLAP, "elder_id_number")


def test_visits_end_to_end_do_not_overlap(w, api):
    first = row(w, hour=9, minutes=45)
    second = visit_payload(w, check_in_at=local(DAY, 9, 45), minutes=45)
    assert [r["outcome"] for r in post(api, first, second)["results"]] == [
        "accepted", "accepted"]


# --- flags ---------------------------------------------------------------------------------


def test_far_from_the_registered_address(w, api):
    near, far = post(api, row(w, hour=8, latitude="23.130000", longitude="113.265000"),
                     row(w, hour=10, latitude="23.200000", longitude="113.400000"))["results"]
    assert near["flags"] == []
    assert far["flags"] == [Flag.FAR_FROM_ADDRESS]
    assert far["outcome"] == "accepted"
    far_visit = ServiceVisit.objects.get(pk=far["visit_id"])
    assert far_visit.distance_m > 10_000
    assert Flag.FAR_FROM_ADDRESS in far_visit.flags


def test_the_gps_tolerance_is_the_districts(w, api):
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="visit.gps_tolerance", value=50_000, region=w.district,
                                   valid_from=DAY - timedelta(days=30))
    result = only(api, row(w, latitude="23.200000", longitude="113.400000"))
    assert result["flags"] == []


def test_more_visits_than_the_plan_is_flagged(w, api):
    few = add_elder(w, times_per_month=2)["elder"]
    body = post(api, *(row(w, hour=9, day=last_month(day), elder=few) for day in (3, 4, 5)))
    assert [r["flags"] for r in body["results"]] == [[], [], [Flag.EXCEEDS_PLAN]]
    assert all(r["outcome"] == "accepted" for r in body["results"])
    # stored visits count too
    assert only(api, row(w, hour=9, day=last_month(6), elder=few))["flags"] == [
        Flag.EXCEEDS_PLAN]
    # another month starts again
    this_month = timezone.localdate().replace(day=1)
    if this_month < timezone.localdate():
        assert only(api, row(w, hour=7, day=this_month, elder=few))["flags"] == []


def test_an_item_without_a_plan_line_is_flagged_at_once(w, api):
    from apps.careplans.models import AgreementItem

    AgreementItem.objects.create(agreement=w.agreement, service_item=item("LC-CLEAN"),
                                 unit_price=Decimal("30.00"))
    result = only(api, row(w, code="LC-CLEAN", minutes=60))
    assert result["outcome"] == "accepted"
    assert result["flags"] == [Flag.EXCEEDS_PLAN]


# --- idempotency ---------------------------------------------------------------------------


def test_resubmitting_the_same_batch_changes_nothing(w, api):
    rows = [row(w, hour=8), row(w, hour=10, minutes=10), row(w, hour=12, code="LC-BATH"),
            row(w, hour=14, latitude="23.2", longitude="113.4"),
            row(w, hour=16, provider_visit_id="DUP"), row(w, hour=18, provider_visit_id="DUP")]
    first = post(api, *rows)
    counts = (ServiceVisit.objects.count(), VisitSubmission.objects.count())
    assert counts == (3, 6)
    again = post(api, *rows)
    assert (ServiceVisit.objects.count(), VisitSubmission.objects.count()) == counts
    assert (again["accepted"], again["rejected"], again["unchanged"]) == (0, 0, 6)
    assert [r["unchanged"] for r in again["results"]] == [True] * 6

    def same(result):
        return {k: v for k, v in result.items() if k != "unchanged"}

    assert [same(r) for r in again["results"]] == [same(r) for r in first["results"]]
    assert again["batch"] == first["batch"]
    assert IntakeBatch.objects.count() == 1
    # a new reason alone is no new row
    assert only(api, {**rows[0], "correction_reason": "x"})["unchanged"] is True


def test_resending_a_batch_after_one_of_its_visits_was_corrected_changes_nothing(w, api):
    rows = [row(w, hour=8), row(w, hour=10), row(w, hour=12, minutes=10)]
    first = post(api, *rows)
    assert [r["outcome"] for r in first["results"]] == ["accepted", "accepted", "rejected"]
    fix = post(api, {**rows[1], "notes": "补记散步", "correction_reason": "漏记散步"})
    [corrected] = fix["results"]
    assert (corrected["outcome"], corrected["version"]) == ("accepted", 2)

    def counts():
        return (ServiceVisit.objects.count(), VisitSubmission.objects.count(),
                IntakeBatch.objects.count(),
                VisitSubmission.objects.filter(outcome="rejected").count())

    before = counts()
    again = post(api, *rows)
    assert counts() == before
    assert (again["accepted"], again["rejected"], again["unchanged"]) == (0, 0, 3)
    assert again["batch"] == first["batch"]
    kept, old, short = again["results"]
    assert kept == {**first["results"][0], "unchanged": True}
    # the row of the corrected visit answers the current version
    assert (old["outcome"], old["unchanged"]) == ("accepted", True)
    assert (old["visit_id"], old["version"]) == (corrected["visit_id"], 2)
    assert old["reasons"] == []
    assert short == {**first["results"][2], "unchanged": True}
    assert ServiceVisit.objects.get(pk=corrected["visit_id"]).is_current
    # rows that first came in different calls answer no one batch
    mixed = post(api, rows[0], {**rows[1], "notes": "补记散步"})
    assert counts() == before
    assert mixed["batch"] is None
    assert post(api, {**rows[1], "notes": "补记散步"})["batch"] == fix["batch"]


def test_a_refused_row_sent_again_after_the_cause_is_fixed_is_accepted(w, api):
    elder = add_elder(w, entitlement=False)["elder"]
    sent = row(w, elder=elder)
    refused(only(api, sent), Reason.ELDER_NOT_APPROVED, "elder_id_number")
    assert only(api, sent)["unchanged"] is True
    EntitlementFactory(elder=elder, valid_from=DAY.replace(day=1))
    result = only(api, sent)
    assert result["outcome"] == "accepted"
    assert result["unchanged"] is False
    assert VisitSubmission.objects.filter(provider_visit_id=sent["provider_visit_id"]
                                          ).count() == 2


# --- the call itself -------------------------------------------------------------------------


def test_at_most_1000_rows(w, api):
    rows = [row(w) for _ in range(1001)]
    response = api.post(URL, {"visits": rows}, format="json")
    assert response.status_code == 400
    assert "visits" in response.json()
    for bad in ({"visits": "x"}, {"visits": []}, [], {"visits": [1]}):
        assert api.post(URL, bad, format="json").status_code == 400
    assert VisitSubmission.objects.count() == 0


def test_only_a_providers_account_submits(w, client):
    street = staff(Role.STREET_STAFF, region=w.street)
    client.force_login(street)
    response = client.post(URL, {"visits": [row(w)]}, content_type="application/json")
    assert response.status_code == 403
    anonymous = APIClient().post(URL, {"visits": [row(w)]}, format="json")
    assert anonymous.status_code in (401, 403)


def test_every_reason_code_and_flag_has_a_test_here():
    """A new code in apps/visits/reasons.py needs a test in this module."""
    from pathlib import Path

    source = Path(__file__).read_text("utf-8")
    missing = [code.name for code in (*Reason, *Flag)
               if f"{type(code).__name__}.{code.name}" not in source]
    assert missing == []


def test_a_nul_character_is_a_field_error_kept_with_the_row(api, w):
    # found by the API fuzzing: PostgreSQL cannot store NUL, the call answered 500
    result = only(api, row(w, provider_visit_id="V\x00NUL", notes="fine"))
    assert result["outcome"] == "rejected"
    assert ("invalid", "provider_visit_id") in codes(result)
    kept = VisitSubmission.objects.get()
    assert "\x00" not in str(kept.payload)
