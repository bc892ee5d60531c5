"""A closure or change of use only with the approval on record (Art 11,
34); a year's funding; where each tier may sit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction

from apps.accounts.roles import Role
from apps.facilities import services
from apps.facilities.models import Facility, FacilityChange, FacilityFunding, Tier
from tests.facilities.factories import FacilityFactory
from tests.factories import ProviderFactory, RegionFactory, staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 20)
APPROVAL = {
    "approving_authority": "天河区人民政府",
    "approval_reference": "穗天府函〔2026〕12号",
    "approved_on": date(2026, 5, 4),
    "notice_published_on": date(2026, 5, 6),
    "effective_on": date(2026, 5, 18),
    "reported_to_city_on": date(2026, 5, 19),
}


@pytest.fixture
def officer(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])


@pytest.fixture
def station(tree):
    return FacilityFactory(region=tree["street"])


def _close(facility, officer, **changes):
    return services.record_change(facility=facility, kind="close", by=officer, on=TODAY,
                                  **{**APPROVAL, **changes})


def _unchanged(facility):
    facility.refresh_from_db()
    return (facility.status == "open" and facility.current_use == ""
            and not FacilityChange.objects.filter(facility=facility).exists())


def test_missing_approval_fields_are_field_errors_and_nothing_changes(station, officer):
    # when a closure is recorded with no approval, reference, notice or date
    with pytest.raises(ValidationError) as raised:
        services.record_change(facility=station, kind="close", by=officer, on=TODAY,
                               approving_authority="", approval_reference="  ",
                               approved_on=None, notice_published_on=None, effective_on=None)
    # then each missing field has its own error, and the facility stays open
    errors = raised.value.error_dict
    assert set(errors) == {"approving_authority", "approval_reference", "approved_on",
                           "notice_published_on", "effective_on", "reported_to_city_on"}
    assert all(e.code == "required" for field in errors.values() for e in field)
    assert _unchanged(station)


@pytest.mark.parametrize("missing", ["approving_authority", "approval_reference",
                                     "approved_on", "notice_published_on", "effective_on",
                                     "reported_to_city_on"])
def test_each_approval_field_is_required(station, officer, missing):
    blank = "" if missing in ("approving_authority", "approval_reference") else None
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, **{missing: blank})
    assert list(raised.value.error_dict) == [missing]
    assert _unchanged(station)


@pytest.mark.parametrize("kind", ["close", "change_of_use"])
def test_art_11_the_report_to_the_city_is_required(station, officer, kind):
    # Art 11: 报市民政局备查 -- a closure or change of use without the report is refused
    with pytest.raises(ValidationError) as raised:
        services.record_change(facility=station, kind=kind, new_use="社区食堂", by=officer,
                               on=TODAY, **{**APPROVAL, "reported_to_city_on": None})
    assert [e.code for e in raised.value.error_dict["reported_to_city_on"]] == ["required"]
    assert list(raised.value.error_dict) == ["reported_to_city_on"]
    assert _unchanged(station)


@pytest.mark.parametrize(("reported", "code"), [
    (date(2026, 5, 3), "report_before_approval"),    # the day before the approval
    (date(2026, 5, 4), None),                        # the day of the approval
    (TODAY, None),                                   # the day it is recorded
    (TODAY + timedelta(days=1), "future_report"),
])
def test_the_report_to_the_city_follows_the_approval_and_is_not_in_the_future(
        station, officer, reported, code):
    if code is None:
        change = _close(station, officer, reported_to_city_on=reported)
        assert change.reported_to_city_on == reported
        return
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, reported_to_city_on=reported)
    assert [e.code for e in raised.value.error_dict["reported_to_city_on"]] == [code]
    assert _unchanged(station)


def test_the_change_cannot_take_effect_before_its_approval(station, officer):
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, effective_on=date(2026, 5, 3))
    assert [e.code for e in raised.value.error_dict["effective_on"]] == [
        "effective_before_approval"]
    assert _unchanged(station)


def test_the_change_takes_effect_on_the_day_of_approval_and_notice_at_the_earliest(
        station, officer):
    day = date(2026, 5, 4)
    change = _close(station, officer, approved_on=day, notice_published_on=day,
                    effective_on=day, reported_to_city_on=day)
    assert change.effective_on == day


def test_the_notice_follows_the_approval_and_precedes_the_effect(station, officer):
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, notice_published_on=date(2026, 5, 1))
    assert "notice_published_on" in raised.value.error_dict
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, notice_published_on=date(2026, 5, 19))
    assert [e.code for e in raised.value.error_dict["effective_on"]] == [
        "effective_before_notice"]
    assert _unchanged(station)


def test_a_change_is_recorded_once_it_takes_effect(station, officer):
    with pytest.raises(ValidationError) as raised:
        _close(station, officer, effective_on=TODAY + timedelta(days=1))
    assert [e.code for e in raised.value.error_dict["effective_on"]] == ["effective_in_future"]
    with pytest.raises(ValidationError):
        _close(station, officer, approved_on=TODAY + timedelta(days=1))
    assert _unchanged(station)


def test_a_valid_closure_closes_the_facility_and_keeps_the_approval(station, officer):
    change = _close(station, officer, notice_channel="天河区政府网站", note="并入街道平台")
    station.refresh_from_db()
    assert station.status == "closed"
    assert change.previous_status == "open"
    assert change.recorded_by == officer
    assert (change.approving_authority, change.approval_reference) == (
        "天河区人民政府", "穗天府函〔2026〕12号")
    # and a closed facility cannot be closed again
    with pytest.raises(ValidationError) as raised:
        _close(station, officer)
    assert [e.code for e in raised.value.error_dict["__all__"]] == ["already_closed"]
    assert FacilityChange.objects.filter(facility=station).count() == 1


def test_a_change_of_use_names_the_new_use_and_keeps_the_facility_open(station, officer):
    with pytest.raises(ValidationError) as raised:
        services.record_change(facility=station, kind="change_of_use", by=officer, on=TODAY,
                               **APPROVAL)
    assert list(raised.value.error_dict) == ["new_use"]
    assert _unchanged(station)
    change = services.record_change(facility=station, kind="change_of_use",
                                    new_use="社区日间照料中心", by=officer, on=TODAY, **APPROVAL)
    station.refresh_from_db()
    assert (station.status, station.current_use) == ("open", "社区日间照料中心")
    assert change.previous_use == ""


def test_the_database_refuses_a_change_effective_before_approval(station, officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilityChange.objects.create(facility=station, kind="close", recorded_by=officer,
                                      previous_status="open",
                                      **{**APPROVAL, "effective_on": date(2026, 5, 1)})


def test_a_recorded_change_is_never_edited_or_removed(station, officer):
    change = _close(station, officer)
    with pytest.raises(InternalError), transaction.atomic():
        FacilityChange.objects.filter(pk=change.pk).update(approval_reference="forged")
    with pytest.raises(InternalError), transaction.atomic():
        FacilityChange.objects.filter(pk=change.pk).delete()
    change.refresh_from_db()
    assert change.approval_reference == APPROVAL["approval_reference"]


def test_funding_is_recorded_and_corrected_per_year(station, officer):
    _funding, created = services.record_funding(facility=station, year=2026,
                                                amount=Decimal("48000"), basis="预算",
                                                by=officer)
    assert created
    _funding, created = services.record_funding(facility=station, year=2026,
                                                amount=Decimal("52000"), by=officer)
    assert not created
    assert FacilityFunding.objects.get(facility=station, year=2026).amount == Decimal("52000")
    with pytest.raises(ValidationError):
        services.record_funding(facility=station, year=2026, amount=Decimal("-1"), by=officer)


@pytest.mark.parametrize(("tier", "level", "ok"), [
    (Tier.DISTRICT_PLATFORM, "district", True),
    (Tier.DISTRICT_PLATFORM, "street", False),
    (Tier.STREET_PLATFORM, "street", True),
    (Tier.STREET_PLATFORM, "district", False),
    (Tier.STREET_PLATFORM, "community", False),
    (Tier.COMMUNITY_STATION, "street", True),
    (Tier.COMMUNITY_STATION, "community", True),
    (Tier.COMMUNITY_STATION, "district", False),
    (Tier.OTHER, "community", True),
    (Tier.OTHER, "district", False),
])
def test_each_tier_sits_at_its_level(tree, tier, level, ok):
    region = {"district": tree["district"], "street": tree["street"],
              "community": RegionFactory.community(tree["street"])}[level]
    facility = Facility(name="x", tier=tier, region=region, address="x", floor_area=100,
                        kind="nursing_home" if tier == Tier.OTHER else "")
    if ok:
        facility.full_clean()
    else:
        with pytest.raises(ValidationError) as raised:
            facility.full_clean()
        assert [e.code for e in raised.value.error_dict["region"]] == ["wrong_region_level"]


def test_a_contracted_facility_names_its_operator_and_a_self_run_one_has_none(tree):
    facility = FacilityFactory.build(region=tree["street"], run_by="contracted")
    with pytest.raises(ValidationError) as raised:
        facility.full_clean()
    assert "operator" in raised.value.error_dict
    facility.operator = ProviderFactory(region=tree["district"])
    facility.full_clean()
    facility.run_by = "self"
    with pytest.raises(ValidationError):
        facility.full_clean()


def test_one_open_platform_per_street(tree, officer):
    first = FacilityFactory.street_platform(tree["street"])
    second = Facility(name="second", tier=Tier.STREET_PLATFORM, region=tree["street"],
                      address="x", floor_area=600)
    with pytest.raises(ValidationError):
        second.full_clean()
    # once the first is closed (with its approval), a new one may open
    _close(first, officer)
    second.full_clean()
