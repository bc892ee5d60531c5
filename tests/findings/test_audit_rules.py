"""Each rule of the monthly audit on September 2025 of one district: a case
that raises the finding, with its evidence and amount at stake, and the
near miss that does not (the visit the day before the death, the visit that
ends as the other begins, the photo's first use...)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from apps.caremanagers.models import CareManager, CaseAssignment
from apps.contracts.models import TenderBar
from apps.elders.models import Elder
from apps.findings.models import FindingRule
from apps.settlement.models import SettlementLine, SettlementRun
from apps.subsidies.models import Entitlement
from apps.visits.followups import record_follow_up
from apps.visits.models import FollowUp, ServiceVisit
from tests.factories import ElderFactory, RegionFactory
from tests.findings.conftest import SEPTEMBER, audit, district_value, found, visits_of
from tests.providers.factories import CertificateFactory, StaffMemberFactory
from tests.visits.factories import LIFE_CARE, add_elder, local, make_visit, world

pytestmark = pytest.mark.django_db


def on(day: int, hour: int = 9, minute: int = 0, month: int = 9):
    return local(date(2025, month, day), hour, minute)


def set_status(elder, status: str, since: date | None) -> None:
    """Record a life status as the elder's change history keeps it."""
    Elder.objects.filter(pk=elder.pk).update(life_status=status, life_status_since=since)


# --- the elder on the day ------------------------------------------------------


def test_a_visit_on_or_after_the_death_is_a_finding_the_day_before_is_not(w):
    before = make_visit(w, check_in_at=on(9))
    on_the_day = make_visit(w, check_in_at=on(10))
    after = make_visit(w, check_in_at=on(12))
    set_status(w.elder, "deceased", date(2025, 9, 10))

    raised = audit(w)

    assert raised[FindingRule.AFTER_DEATH] == 2
    assert visits_of(FindingRule.AFTER_DEATH) == {on_the_day.pk, after.pk}
    assert before.pk not in visits_of(FindingRule.AFTER_DEATH)
    finding = found(FindingRule.AFTER_DEATH, visit=after)[0]
    assert finding.evidence["died_on"] == "2025-09-10"
    assert finding.evidence["service_date"] == "2025-09-12"
    assert finding.amount == after.amount == Decimal("50.00")
    assert (finding.district, finding.month, finding.provider, finding.elder) == (
        w.district, SEPTEMBER, w.provider, w.elder)
    # the death is not also reported as the end of the entitlement
    assert found(FindingRule.AFTER_TERMINATION) == []


def test_a_visit_after_the_entitlement_ended_is_a_finding_within_it_is_not(w):
    Entitlement.objects.filter(pk=w.entitlement.pk).update(
        valid_until=date(2025, 8, 31), status="ended", end_reason="circumstances")
    late = make_visit(w, check_in_at=on(5))
    other = add_elder(w)
    Entitlement.objects.filter(pk=other["entitlement"].pk).update(
        valid_until=date(2025, 9, 30), status="ended", end_reason="circumstances")
    within = make_visit(w, elder=other["elder"], agreement=other["agreement"],
                        check_in_at=on(29))

    audit(w)

    assert visits_of(FindingRule.AFTER_TERMINATION) == {late.pk}
    assert within.pk not in visits_of(FindingRule.AFTER_TERMINATION)
    evidence = found(FindingRule.AFTER_TERMINATION)[0].evidence
    assert evidence["entitlement_until"] == "2025-08-31"
    assert evidence["end_reason"] == "circumstances"


def test_a_cancelled_entitlement_does_not_cover_its_days(w):
    Entitlement.objects.filter(pk=w.entitlement.pk).update(status="cancelled",
                                                            cancelled_on=date(2025, 9, 20))
    visit = make_visit(w, check_in_at=on(3))

    audit(w)

    finding = found(FindingRule.AFTER_TERMINATION)[0]
    assert finding.visit == visit
    assert finding.evidence["entitlement_status"] == "cancelled"
    with translation.override("en"):
        assert "cancelled" in finding.headline


def test_visits_while_moved_away_are_findings_until_the_elder_returned(w):
    before = make_visit(w, check_in_at=on(2))
    away = make_visit(w, check_in_at=on(5))
    back = make_visit(w, check_in_at=on(12))
    set_status(w.elder, "moved_away", date(2025, 9, 3))
    set_status(w.elder, "active", date(2025, 9, 10))

    audit(w)

    assert visits_of(FindingRule.AFTER_MOVING_AWAY) == {away.pk}
    assert {before.pk, back.pk}.isdisjoint(visits_of(FindingRule.AFTER_MOVING_AWAY))
    evidence = found(FindingRule.AFTER_MOVING_AWAY)[0].evidence
    assert (evidence["status_since"], evidence["status_until"]) == ("2025-09-03",
                                                                    "2025-09-10")


def test_a_past_stay_in_hospital_is_read_from_the_history(w):
    before = make_visit(w, check_in_at=on(4))
    during = make_visit(w, check_in_at=on(8))
    after = make_visit(w, check_in_at=on(15))
    set_status(w.elder, "in_hospital", date(2025, 9, 3))
    # the date is corrected: the stay began on the 5th
    set_status(w.elder, "in_hospital", date(2025, 9, 5))
    set_status(w.elder, "active", date(2025, 9, 12))

    audit(w)

    assert visits_of(FindingRule.IN_HOSPITAL_OR_INSTITUTION) == {during.pk}
    assert {before.pk, after.pk}.isdisjoint(visits_of(FindingRule.IN_HOSPITAL_OR_INSTITUTION))
    finding = found(FindingRule.IN_HOSPITAL_OR_INSTITUTION)[0]
    assert finding.evidence["life_status"] == "in_hospital"
    assert finding.evidence["status_since"] == "2025-09-05"
    with translation.override("en"):
        assert "in hospital from 2025-09-05" in finding.headline


def test_a_current_stay_in_an_institution_flags_the_visits_from_its_first_day(w):
    before = make_visit(w, check_in_at=on(19))
    during = make_visit(w, check_in_at=on(20, 15))
    set_status(w.elder, "in_institution", date(2025, 9, 20))

    audit(w)

    assert visits_of(FindingRule.IN_HOSPITAL_OR_INSTITUTION) == {during.pk}
    assert before.pk not in visits_of(FindingRule.IN_HOSPITAL_OR_INSTITUTION)
    assert found(FindingRule.IN_HOSPITAL_OR_INSTITUTION)[0].evidence["status_until"] is None


# --- the visit itself -----------------------------------------------------------


def test_a_caregiver_at_two_visits_at_once_raises_both_back_to_back_does_not(w):
    other = add_elder(w)
    first = make_visit(w, check_in_at=on(3, 9), minutes=45)
    overlapping = make_visit(w, elder=other["elder"], agreement=other["agreement"],
                             check_in_at=on(3, 9, 30), minutes=45)
    # back to back: 14:00-14:45, then 14:45-15:30
    make_visit(w, check_in_at=on(4, 14), minutes=45)
    make_visit(w, elder=other["elder"], agreement=other["agreement"],
               check_in_at=on(4, 14, 45), minutes=45)

    audit(w)

    assert visits_of(FindingRule.CAREGIVER_OVERLAP) == {first.pk, overlapping.pk}
    evidence = found(FindingRule.CAREGIVER_OVERLAP, visit=first)[0].evidence
    assert [v["visit_id"] for v in evidence["other_visits"]] == [overlapping.pk]
    assert evidence["caregiver"] == w.caregiver.name


def test_an_hourly_visit_billing_more_than_the_tolerance_is_a_finding(w):
    # 61 minutes billed as 2 hours: 30 minutes more than the 1.5 hours the
    # intake accepts (rounded up to the half hour), beyond the 15 allowed
    short = make_visit(w, code=LIFE_CARE, check_in_at=on(2), minutes=61,
                       units=Decimal("2.0"))
    # 61 minutes billed as 1.5 hours: rounded up to the half hour, as accepted
    make_visit(w, code=LIFE_CARE, check_in_at=on(3), minutes=61, units=Decimal("1.5"))

    audit(w)

    assert visits_of(FindingRule.SHORTER_THAN_BILLED) == {short.pk}
    evidence = found(FindingRule.SHORTER_THAN_BILLED)[0].evidence
    assert (evidence["billed_minutes"], evidence["minutes"], evidence["tolerance_minutes"]) \
        == (120, 61, 15)


def test_a_per_visit_item_shorter_than_its_minimum_is_a_finding(w):
    short = make_visit(w, check_in_at=on(2), minutes=25)  # rehabilitation: at least 30
    make_visit(w, check_in_at=on(3), minutes=30)

    audit(w)

    assert visits_of(FindingRule.SHORTER_THAN_BILLED) == {short.pk}
    assert found(FindingRule.SHORTER_THAN_BILLED)[0].evidence["min_duration_minutes"] == 30


def test_the_tolerance_is_the_districts_own(w):
    # 61 minutes billed as 2 hours: 30 minutes over the half hour rounded up,
    # within a tolerance of 40
    district_value("audit.billed_minutes_tolerance", 40, w.district)
    make_visit(w, code=LIFE_CARE, check_in_at=on(3), minutes=61, units=Decimal("2.0"))

    audit(w)

    assert visits_of(FindingRule.SHORTER_THAN_BILLED) == set()


def test_a_visit_beyond_the_gps_tolerance_is_a_finding_at_it_is_not(w):
    far = make_visit(w, check_in_at=on(2), distance_m=800)
    make_visit(w, check_in_at=on(3), distance_m=500)
    flagged = make_visit(w, check_in_at=on(4), flags=["far_from_address"])

    audit(w)

    assert visits_of(FindingRule.FAR_FROM_ADDRESS) == {far.pk, flagged.pk}
    evidence = found(FindingRule.FAR_FROM_ADDRESS, visit=far)[0].evidence
    assert (evidence["distance_m"], evidence["tolerance_m"], evidence["flagged_at_intake"]) \
        == (800, 500, False)


def test_a_photo_used_again_is_a_finding_its_first_use_and_a_correction_are_not(w):
    first = make_visit(w, check_in_at=on(2), photo_sha256="a" * 64)
    again = make_visit(w, check_in_at=on(9), photo_sha256="a" * 64)
    make_visit(w, check_in_at=on(10), photo_sha256="b" * 64)
    original = make_visit(w, check_in_at=on(11), photo_sha256="c" * 64)
    ServiceVisit.objects.filter(pk=original.pk).update(is_current=False)
    make_visit(w, check_in_at=on(11), photo_sha256="c" * 64, version=2,
               provider_visit_id=original.provider_visit_id, supersedes=original)

    audit(w)

    assert visits_of(FindingRule.PHOTO_REUSED) == {again.pk}
    evidence = found(FindingRule.PHOTO_REUSED)[0].evidence
    assert [v["visit_id"] for v in evidence["other_visits"]] == [first.pk]
    assert evidence["first_visit_id"] == first.pk


def test_a_visit_flagged_beyond_the_plan_is_a_finding_with_the_plans_count(w):
    make_visit(w, check_in_at=on(2))
    beyond = make_visit(w, check_in_at=on(3), flags=["exceeds_plan"])

    audit(w)

    assert visits_of(FindingRule.BEYOND_PLAN) == {beyond.pk}
    evidence = found(FindingRule.BEYOND_PLAN)[0].evidence
    assert (evidence["item_visits"], evidence["plan_times"]) == (2, 8)


def test_a_settled_visit_the_plan_did_not_cover_stakes_its_subsidy_and_bonus(w):
    covered = make_visit(w, check_in_at=on(2))
    uncovered = make_visit(w, check_in_at=on(3))
    run = SettlementRun.objects.create(district=w.district, month=SEPTEMBER)
    for visit, part in ((covered, Decimal("50.00")), (uncovered, Decimal("20.00"))):
        SettlementLine.objects.create(
            run=run, provider=w.provider, elder=w.elder, visit=visit,
            service_month=SEPTEMBER, cost=visit.amount, covered=part, subsidy=part,
            elder_pays=visit.amount - part, bonus=Decimal("3.00"))

    audit(w)

    finding = found(FindingRule.BEYOND_PLAN)[0]
    assert finding.visit == uncovered
    assert finding.amount == Decimal("23.00")  # the line's subsidy + performance subsidy
    assert finding.evidence["at_stake_from"] == "settlement"
    assert (finding.evidence["covered"], finding.evidence["cost"]) == ("20.00", "50.00")
    assert visits_of(FindingRule.BEYOND_PLAN) == {uncovered.pk}


def test_a_visit_while_barred_is_a_finding_the_day_before_the_bar_is_not(w):
    before = make_visit(w, check_in_at=on(9))
    barred = make_visit(w, check_in_at=on(10))
    TenderBar.objects.create(provider=w.provider, starts_on=date(2025, 9, 10),
                             lifts_on=date(2027, 9, 10), reason="Unqualified twice")

    audit(w)

    assert visits_of(FindingRule.BARRED_OR_NO_CONTRACT) == {barred.pk}
    assert before.pk not in visits_of(FindingRule.BARRED_OR_NO_CONTRACT)
    evidence = found(FindingRule.BARRED_OR_NO_CONTRACT)[0].evidence
    assert evidence["barred"][0]["starts_on"] == "2025-09-10"
    assert evidence["no_contract"] is False


def test_a_visit_after_the_contract_ended_is_a_finding_on_its_last_day_is_not(w):
    last_day = make_visit(w, check_in_at=on(15))
    after = make_visit(w, check_in_at=on(16))
    type(w.contract).objects.filter(pk=w.contract.pk).update(status="ended",
                                                              ended_on=date(2025, 9, 15))

    audit(w)

    assert visits_of(FindingRule.BARRED_OR_NO_CONTRACT) == {after.pk}
    assert last_day.pk not in visits_of(FindingRule.BARRED_OR_NO_CONTRACT)
    evidence = found(FindingRule.BARRED_OR_NO_CONTRACT)[0].evidence
    assert evidence["no_contract"] is True
    assert evidence["last_contract"] == w.contract.reference
    assert evidence["last_contract_until"] == "2025-09-15"


# --- follow-up calls -------------------------------------------------------------


def test_a_call_that_raised_its_finding_is_not_raised_again(w, street_user):
    visit = make_visit(w, check_in_at=on(3))
    call = FollowUp.objects.create(visit=visit, month=SEPTEMBER, street=w.street,
                                   due_on=date(2025, 10, 15))
    result = record_follow_up(follow_up=call, outcome="not_received", satisfaction=1,
                              note="Nobody came", user=street_user)

    raised = audit(w)

    assert raised[FindingRule.FOLLOWUP_NOT_RECEIVED] == 0
    assert found(FindingRule.FOLLOWUP_NOT_RECEIVED) == [result.finding]


def test_a_call_without_its_finding_gets_it_from_the_audit(w, street_user):
    visit = make_visit(w, check_in_at=on(3))
    confirmed = make_visit(w, check_in_at=on(4))
    FollowUp.objects.create(visit=visit, month=SEPTEMBER, street=w.street, status="done",
                            outcome="not_received", note="Nobody came",
                            called_at=timezone.now(), called_by=street_user)
    FollowUp.objects.create(visit=confirmed, month=SEPTEMBER, street=w.street,
                            status="done", outcome="confirmed", satisfaction=5,
                            called_at=timezone.now())

    raised = audit(w)

    assert raised[FindingRule.FOLLOWUP_NOT_RECEIVED] == 1
    finding = found(FindingRule.FOLLOWUP_NOT_RECEIVED)[0]
    assert finding.visit == visit
    assert finding.source_key == f"followup:{visit.follow_up.pk}"
    assert finding.evidence["note"] == "Nobody came"
    assert finding.amount == visit.amount


# --- providers and care managers --------------------------------------------------


def _visits(w, month: int, count: int):
    for day in range(1, count + 1):
        make_visit(w, check_in_at=local(date(2025, month, day), 9))


def test_a_provider_far_above_its_three_month_median_is_a_finding(w, tree):
    for month, count in ((6, 2), (7, 3), (8, 2)):
        _visits(w, month, count)
    _visits(w, 9, 4)  # median 2 x 1.5 = 3: four is above
    steady = world(district=tree["district"], street=tree["street"])
    for month, count in ((6, 2), (7, 2), (8, 2), (9, 3)):  # three is not above 3
        _visits(steady, month, count)

    audit(w)

    findings = found(FindingRule.VOLUME_ABOVE_MEDIAN)
    assert [f.provider for f in findings] == [w.provider]
    evidence = findings[0].evidence
    assert (evidence["visits"], evidence["median"], evidence["factor"],
            evidence["threshold"]) == (4, "2", "1.5", "3")
    assert [row["visits"] for row in evidence["history"]] == [2, 3, 2]
    assert findings[0].amount == 0


def test_a_provider_without_three_months_of_history_has_no_median(w):
    for month, count in ((7, 2), (8, 2)):
        _visits(w, month, count)
    _visits(w, 9, 20)

    audit(w)

    assert found(FindingRule.VOLUME_ABOVE_MEDIAN) == []


def test_a_care_manager_above_the_districts_ratio_is_a_finding(w, tree):
    district_value("ratio.care_manager_elders", 2, tree["district"])
    busy = CareManager.objects.create(street=tree["street"], name="Busy",
                                      since=date(2024, 1, 1))
    fine = CareManager.objects.create(street=tree["sibling"], name="Fine",
                                      since=date(2024, 1, 1))
    for manager, count in ((busy, 3), (fine, 2)):
        for _n in range(count):
            CaseAssignment.objects.create(elder=ElderFactory(residence_street=manager.street),
                                          care_manager=manager, starts_on=date(2025, 1, 1))
    # ended before the month's end: not on the books on 30 September
    CaseAssignment.objects.create(elder=ElderFactory(residence_street=tree["sibling"]),
                                  care_manager=fine, starts_on=date(2025, 1, 1),
                                  ends_on=date(2025, 9, 29))

    audit(w)

    findings = found(FindingRule.CASELOAD_ABOVE_RATIO)
    assert len(findings) == 1
    evidence = findings[0].evidence
    assert (evidence["care_manager"], evidence["caseload"], evidence["ratio"],
            evidence["on"]) == ("Busy", 3, 2, "2025-09-30")
    assert findings[0].provider is None


def test_a_provider_without_qualified_nursing_staff_is_a_finding(w, tree):
    staffed = world(district=tree["district"], street=tree["street"])
    CertificateFactory(staff=staffed.caregiver, kind="eldercare_worker")
    elsewhere = world(district=RegionFactory.district())

    audit(w)

    findings = found(FindingRule.NURSE_RATIO_BELOW)
    assert [f.provider for f in findings] == [w.provider]
    evidence = findings[0].evidence
    assert (evidence["clients"], evidence["nursing_staff"], evidence["needed"],
            evidence["ratio"]) == (1, 0, 1, 10)
    assert elsewhere.provider not in [f.provider for f in findings]


def test_a_nurse_who_has_left_does_not_count(w):
    member = StaffMemberFactory(provider=w.provider, role="nurse", active=False)
    CertificateFactory(staff=member, kind="nurse_practising",
                       issued_on=date(2025, 1, 1) - timedelta(days=1))

    audit(w)

    assert len(found(FindingRule.NURSE_RATIO_BELOW)) == 1
