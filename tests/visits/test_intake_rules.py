"""The per-row checks as plain functions: no database."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.visits import rules
from apps.visits.reasons import Reason

TZ = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=TZ)
DAY = date(2026, 3, 10)


def at(minutes: int) -> datetime:
    return NOON + timedelta(minutes=minutes)


def test_time_problems():
    now = at(600)
    assert rules.time_problems(at(0), at(45), now, 30) == []
    assert rules.time_problems(at(0), at(0), now, 30) == [
        (Reason.CHECKOUT_BEFORE_CHECKIN, "check_out_at")]
    assert rules.time_problems(at(0), at(29), now, 30) == [
        (Reason.BELOW_MIN_DURATION, "check_out_at")]
    assert rules.time_problems(at(0), at(29), now, None) == []
    # five minutes of clock skew are tolerated
    assert rules.time_problems(at(560), at(605), now, None) == []
    assert rules.time_problems(at(606), at(700), now, None) == [
        (Reason.FUTURE_DATE, "check_in_at"), (Reason.FUTURE_DATE, "check_out_at")]


def test_overlaps_are_half_open():
    assert rules.overlaps(at(0), at(60), at(30), at(90))
    assert not rules.overlaps(at(0), at(60), at(60), at(90))
    assert rules.overlaps(at(0), at(60), at(10), at(20))


def test_method_problems():
    kwargs = {"method_field": "check_in_method", "reason_field": "check_in_reason"}
    assert rules.method_problems("card", "", local_hukou=True, **kwargs) == []
    assert rules.method_problems("card", "", local_hukou=False, **kwargs) == [
        (Reason.CARD_NOT_ISSUED, "check_in_method")]
    assert rules.method_problems("card", "", local_hukou=None, **kwargs) == []
    assert rules.method_problems("manual", " ", local_hukou=True, **kwargs) == [
        (Reason.MANUAL_REASON_REQUIRED, "check_in_reason")]
    assert rules.method_problems("manual", "卡坏了", local_hukou=False, **kwargs) == []


def test_life_status_on_the_day():
    assert rules.life_status_problem("deceased", DAY, DAY) == Reason.ELDER_DECEASED
    assert rules.life_status_problem("deceased", DAY + timedelta(days=1), DAY) is None
    assert rules.life_status_problem("moved_away", DAY, DAY) == Reason.ELDER_MOVED
    assert rules.life_status_problem("in_hospital", DAY, DAY) is None


def period(start, until=None, cancelled=False, reason=""):
    return rules.EntitlementPeriod(start, until, cancelled, reason)


def test_entitlement_on_the_day():
    march, feb_end = date(2026, 3, 1), date(2026, 2, 28)
    assert rules.entitlement_problem([period(march)], DAY) is None
    assert rules.entitlement_problem([period(march, date(2026, 3, 31))], DAY) is None
    assert rules.entitlement_problem([], DAY) == Reason.ELDER_NOT_APPROVED
    assert rules.entitlement_problem([period(date(2026, 4, 1))], DAY) == \
        Reason.ELDER_NOT_APPROVED
    ended = date(2026, 1, 1)
    assert rules.entitlement_problem([period(ended, feb_end, reason="deceased")], DAY) == \
        Reason.ELDER_DECEASED
    assert rules.entitlement_problem([period(ended, feb_end, reason="moved")], DAY) == \
        Reason.ELDER_MOVED
    assert rules.entitlement_problem([period(ended, feb_end, reason="moved_away")], DAY) == \
        Reason.ELDER_MOVED
    assert rules.entitlement_problem([period(ended, feb_end, reason="reassessed")], DAY) == \
        Reason.ELDER_TERMINATED
    assert rules.entitlement_problem([period(march, cancelled=True)], DAY) == \
        Reason.ELDER_TERMINATED
    # the latest ending decides; a successor in force wins
    assert rules.entitlement_problem([period(ended, feb_end, reason="reassessed"),
                                      period(march)], DAY) is None


def test_contract_and_bar_in_force():
    assert rules.contract_in_force(date(2026, 1, 1), date(2026, 12, 31), None, DAY)
    assert not rules.contract_in_force(date(2026, 1, 1), date(2026, 12, 31),
                                       date(2026, 3, 9), DAY)
    assert rules.contract_in_force(date(2026, 1, 1), date(2026, 12, 31), DAY, DAY)
    assert rules.bar_in_force(DAY, date(2028, 3, 10), DAY)
    assert not rules.bar_in_force(date(2024, 3, 10), DAY, DAY)


def test_units_and_amounts():
    assert rules.default_units("visit", 45) == Decimal(1)
    assert rules.default_units("meal", 5) == Decimal(1)
    assert rules.default_units("hour", 95) == Decimal("1.5")
    assert rules.default_units("hour", 89) == Decimal("1.0")
    assert rules.default_units("hour", 20) == Decimal("0.5")
    assert rules.amount(Decimal("1.5"), Decimal("38.00")) == Decimal("57.00")
    assert rules.amount(Decimal("0.33"), Decimal("10.05")) == Decimal("3.32")
    assert rules.units_problem(Decimal("-1"))
    assert rules.units_problem(Decimal("0"))
    assert rules.units_problem(Decimal("1.005"))
    assert not rules.units_problem(Decimal("1.5"))


def test_locations_and_distance():
    assert rules.parse_location("23.1291,113.2644") == (23.1291, 113.2644)
    assert rules.parse_location("23.1291，113.2644") == (23.1291, 113.2644)
    assert rules.parse_location("nowhere") is None
    assert rules.parse_location("95,10") is None
    assert rules.parse_location(None) is None
    # one thousandth of a degree of latitude is about 111 metres
    assert 105 <= rules.distance_m(23.129, 113.264, 23.130, 113.264) <= 115
    assert rules.distance_m(23.129, 113.264, 23.129, 113.264) == 0


def test_months():
    assert rules.month_start(DAY) == date(2026, 3, 1)
    assert rules.month_end(DAY) == date(2026, 3, 31)
    assert rules.month_end(date(2028, 2, 3)) == date(2028, 2, 29)


def test_the_most_units_a_visit_may_count():
    def day_of(moment):
        return moment.astimezone(TZ).date()

    # hourly: the duration rounded up to the half hour
    assert rules.max_units("hour", at(0), at(60), day_of) == Decimal("1.0")
    assert rules.max_units("hour", at(0), at(61), day_of) == Decimal("1.5")
    assert rules.max_units("hour", at(0), at(1), day_of) == Decimal("0.5")
    assert rules.units_over_problem("hour", Decimal("1.5"), at(0), at(70), day_of) is None
    assert rules.units_over_problem("hour", Decimal("2"), at(0), at(70), day_of) == (
        Reason.UNITS_EXCEED_DURATION)
    # per visit: exactly one
    assert rules.units_over_problem("visit", Decimal("1"), at(0), at(45), day_of) is None
    assert rules.units_over_problem("visit", Decimal("2"), at(0), at(45), day_of) == (
        Reason.UNITS_EXCEED_DURATION)
    assert rules.units_over_problem("visit", Decimal("0.5"), at(0), at(45), day_of) == (
        Reason.INVALID)
    # per day: the calendar days the stay spans (noon to noon two days on: 3 days)
    assert rules.max_units("day", at(0), at(60), day_of) == 1
    assert rules.max_units("day", at(0), at(48 * 60), day_of) == 3
    assert rules.units_over_problem("day", Decimal("4"), at(0), at(48 * 60), day_of) == (
        Reason.UNITS_EXCEED_DURATION)
    # meals and months: as given, the audit reads them
    for unit in ("meal", "month"):
        assert rules.max_units(unit, at(0), at(30), day_of) is None
        assert rules.units_over_problem(unit, Decimal("3"), at(0), at(30), day_of) is None


def test_only_visits_that_need_the_elder_at_home_exclude_each_other():
    assert {"visit", "hour"} == rules.EXCLUSIVE_UNITS
    assert rules.elders_overlap("visit", "hour")
    assert rules.elders_overlap("hour", "hour")
    for other in ("meal", "day", "month", None):
        assert not rules.elders_overlap("visit", other)
        assert not rules.elders_overlap(other, "hour")
