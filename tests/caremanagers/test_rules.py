"""Art 5 without the database: qualification, the 1:50 ratio, the flags."""

import pytest

from apps.caremanagers import rules


@pytest.mark.parametrize(("qualification", "qualified"), [
    ("none", False), ("junior", True), ("intermediate", True), ("senior", True)])
def test_at_least_junior_social_worker_is_qualified(qualification, qualified):
    assert rules.is_qualified(qualification) is qualified


@pytest.mark.parametrize(("elders", "managers", "met"), [
    (0, 0, True), (1, 0, False), (50, 1, True), (51, 1, False), (100, 2, True),
    (101, 2, False)])
def test_one_qualified_care_manager_per_fifty_subsidised_elders(elders, managers, met):
    assert rules.ratio_met(elders, managers, 50) is met


def test_flags_name_each_shortcoming():
    staffing = rules.StreetStaffing(subsidised_elders=51, qualified_managers=1,
                                    unqualified_managers=1, unassigned_elders=3, ratio=50)
    assert staffing.flags == [rules.RATIO, rules.UNQUALIFIED, rules.UNASSIGNED]
    assert staffing.needed == 2
    fine = rules.StreetStaffing(subsidised_elders=50, qualified_managers=1,
                                unqualified_managers=0, unassigned_elders=0, ratio=50)
    assert fine.flags == []


def test_the_service_street_is_the_entitlements_else_the_residence():
    assert rules.service_street_id(7, 3) == 7
    assert rules.service_street_id(None, 3) == 3
