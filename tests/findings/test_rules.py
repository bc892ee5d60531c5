"""The pure parts of the audit, without the database: the volume median, the
months before, billed minutes; the summary of each rule rendered from its
evidence and the evidence laid out for a page."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from apps.findings import rules
from apps.findings.evidence import describe, evidence_rows, moment, related_visits
from apps.findings.models import FindingRule


@pytest.mark.parametrize(("values", "expected"), [
    ([2, 3, 2], Decimal(2)), ([5, 1, 9], Decimal(5)), ([4, 6], Decimal(5)), ([7], Decimal(7)),
])
def test_the_median(values, expected):
    assert rules.median(values) == expected


@pytest.mark.parametrize(("visits", "history", "far_above"), [
    (31, [10, 20, 30], True),  # median 20 x 1.5 = 30
    (30, [10, 20, 30], False),  # at the threshold is not above it
    (100, [0, 20, 30], None),  # a month without visits: no median
    (100, [20, 30], None),  # two months are not three
])
def test_the_volume_check(visits, history, far_above):
    check = rules.volume_check(visits, history, Decimal("1.5"))
    assert (None if check is None else check.far_above) is far_above


def test_the_volume_check_explains_itself():
    check = rules.volume_check(31, [10, 20, 30], Decimal("1.5"))
    assert (check.median, check.threshold, check.history) == (Decimal(20), Decimal(30),
                                                               (10, 20, 30))


@pytest.mark.parametrize(("month", "expected"), [
    (date(2025, 9, 1), [date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)]),
    (date(2025, 2, 1), [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)]),
])
def test_the_months_before(month, expected):
    assert rules.months_before(month, 3) == expected


def test_billed_minutes_and_plain_numbers():
    assert rules.billed_minutes(Decimal("1.50")) == 90
    assert rules.billed_minutes(Decimal("0.25")) == 15
    assert rules.plain_number(Decimal("1.500")) == "1.5"
    assert rules.plain_number(Decimal("2.00")) == "2"


VISIT = {"service_item": "Rehabilitation", "service_date": "2025-09-03", "provider": "Kang"}
EVIDENCE = {
    FindingRule.AFTER_DEATH: {**VISIT, "died_on": "2025-09-01"},
    FindingRule.AFTER_TERMINATION: {**VISIT, "entitlement_until": "2025-08-31",
                                    "entitlement_status": "ended"},
    FindingRule.AFTER_MOVING_AWAY: {**VISIT, "status_since": "2025-09-01"},
    FindingRule.IN_HOSPITAL_OR_INSTITUTION: {**VISIT, "life_status": "in_institution",
                                             "status_since": "2025-09-01"},
    FindingRule.CAREGIVER_OVERLAP: {**VISIT, "caregiver": "Li", "other_visits": [{}, {}]},
    FindingRule.SHORTER_THAN_BILLED: {**VISIT, "billed_minutes": 90, "minutes": 61},
    FindingRule.FAR_FROM_ADDRESS: {**VISIT, "distance_m": 800, "tolerance_m": 500},
    FindingRule.PHOTO_REUSED: {**VISIT, "other_visits": [{}]},
    FindingRule.BEYOND_PLAN: {**VISIT, "item_visits": 9, "plan_times": 8},
    FindingRule.BARRED_OR_NO_CONTRACT: {**VISIT, "barred": [], "no_contract": True},
    FindingRule.FOLLOWUP_NOT_RECEIVED: VISIT,
    FindingRule.VOLUME_ABOVE_MEDIAN: {"provider": "Kang", "visits": 31, "month": "2025-09",
                                      "factor": "1.5", "median": "20"},
    FindingRule.CASELOAD_ABOVE_RATIO: {"care_manager": "Wang", "street": "A", "caseload": 51,
                                       "on": "2025-09-30", "ratio": 50},
    FindingRule.NURSE_RATIO_BELOW: {"provider": "Kang", "clients": 21, "on": "2025-09-30",
                                    "needed": 3, "ratio": 10, "nursing_staff": 2},
}
SAID = {
    FindingRule.AFTER_DEATH: "had died on 2025-09-01",
    FindingRule.AFTER_TERMINATION: "had ended on 2025-08-31",
    FindingRule.AFTER_MOVING_AWAY: "moved away on 2025-09-01",
    FindingRule.IN_HOSPITAL_OR_INSTITUTION: "care institution from 2025-09-01",
    FindingRule.CAREGIVER_OVERLAP: "was at 2 other visits",
    FindingRule.SHORTER_THAN_BILLED: "90 minutes billed, 61 minutes",
    FindingRule.FAR_FROM_ADDRESS: "800 m from the registered address (tolerance 500 m)",
    FindingRule.PHOTO_REUSED: "also that of another visit",
    FindingRule.BEYOND_PLAN: "visit 9 of the month where the plan has 8",
    FindingRule.BARRED_OR_NO_CONTRACT: "no contract of the provider",
    FindingRule.FOLLOWUP_NOT_RECEIVED: "Follow-up call: Rehabilitation of 2025-09-03 by Kang",
    FindingRule.VOLUME_ABOVE_MEDIAN: "31 visits in 2025-09, more than 1.5 times its median "
                                     "of 20",
    FindingRule.CASELOAD_ABOVE_RATIO: "looked after 51 elders on 2025-09-30; at most 50",
    FindingRule.NURSE_RATIO_BELOW: "21 rehabilitation-nursing clients on 2025-09-30 need 3",
}


@pytest.mark.parametrize("rule", FindingRule.values)
def test_every_rule_has_a_summary_from_its_evidence(rule):
    with translation.override("en"):
        assert SAID[rule] in describe(rule, EVIDENCE[rule])


def test_evidence_that_cannot_tell_it_leaves_the_stored_summary():
    assert describe(FindingRule.FOLLOWUP_NOT_RECEIVED, {"note": "Nobody came"}) is None
    assert describe("unknown", {}) is None


def test_the_evidence_is_laid_out_with_labels_and_local_times():
    with translation.override("en"):
        rows = {str(label): value for label, value in evidence_rows({
            "check_in_at": "2025-09-03T01:00:00+00:00", "life_status": "in_hospital",
            "flagged_at_intake": True, "amount": "50", "barred": [
                {"starts_on": "2025-09-10", "lifts_on": "2027-09-10", "reason": "Twice"}],
            "other_visits": [{"visit_id": 1}], "settlement_run_id": 4, "extra": "kept"})}
        assert str(rows["Life status"]) == "In hospital"
        assert rows["Flagged when the visit was accepted"] == "yes"
    assert rows["Checked in at"] == "2025-09-03 09:00"
    assert rows["Amount of the visit"] == "50.00"
    assert "2025-09-10" in rows["Tender bar"]
    assert "Twice" in rows["Tender bar"]
    assert rows["extra"] == "kept"
    assert "other_visits" not in rows
    assert "settlement_run_id" not in rows


def test_the_other_visits_are_shown_in_local_time():
    visits = related_visits({"other_visits": [{"visit_id": 1,
                                               "check_in_at": "2025-09-03T09:00:00+08:00",
                                               "check_out_at": "2025-09-03T01:45:00+00:00"}]})
    assert (visits[0]["check_in_at"], visits[0]["check_out_at"]) == ("2025-09-03 09:00",
                                                                     "2025-09-03 09:45")
    assert moment("not a time") == "not a time"
