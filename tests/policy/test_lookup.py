"""Policy values: dated versions, read through one lookup, never rewritten."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from apps.policy.lookup import PolicyValueMissing, value_on, values_on
from apps.policy.models import PolicyValue
from apps.policy.parameters import DISTRICT_SEED_VALUES, PARAMETERS, SEED_VALUES
from apps.regions.models import Region

pytestmark = pytest.mark.django_db


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_every_parameter_is_seeded():
    seeded = {key for key, *_rest in SEED_VALUES} | {key for key, *_rest in DISTRICT_SEED_VALUES}
    assert seeded == set(PARAMETERS)
    city_wide = set(values_on(date(2026, 1, 1)))
    assert city_wide == set(PARAMETERS) - {"funding.city_share"}


@pytest.mark.parametrize(
    ("key", "day", "value"),
    [
        ("subsidy.class1.monthly", date(2026, 11, 1), Decimal(400)),
        ("subsidy.class1.nursing_supplement", date(2026, 11, 1), Decimal(200)),
        ("subsidy.class2.monthly_cap", date(2026, 11, 1), Decimal(200)),
        ("elder.min_age", date(2026, 11, 1), Decimal(60)),
        ("deadline.re_review", date(2026, 11, 1), Decimal(15)),
        ("bonus.excellent", date(2026, 11, 1), Decimal(4)),
        ("subsidy.class2.minimum_wage", date(2021, 11, 30), Decimal(2100)),
        ("subsidy.class2.minimum_wage", date(2021, 12, 1), Decimal(2300)),
        ("subsidy.class2.minimum_wage", date(2025, 3, 1), Decimal(2500)),
    ],
)
def test_value_in_force_on_a_date(key, day, value):
    assert value_on(key, day) == value


@pytest.mark.parametrize(("code", "share"), [
    ("440106", Decimal("0.4")), ("440104", Decimal("0.5")), ("440117", Decimal("0.8")),
    ("440118", Decimal("0.6")), ("440115", Decimal("0")),
])
def test_district_values_come_from_the_district(code, share):
    district = Region.objects.get(code=code)
    assert value_on("funding.city_share", date(2026, 11, 1), district) == share
    with pytest.raises(PolicyValueMissing):
        value_on("funding.city_share", date(2026, 11, 1))


def test_a_district_version_wins_over_the_city_wide_one():
    # given a district that pays a higher class 1 amount from tomorrow
    district = Region.objects.get(code="440106")
    PolicyValue.objects.create(key="subsidy.class1.monthly", value=Decimal(450),
                               valid_from=_tomorrow(), region=district)
    # then that district reads 450 from tomorrow, the rest of the city 400
    assert value_on("subsidy.class1.monthly", _tomorrow(), district) == Decimal(450)
    assert value_on("subsidy.class1.monthly", _tomorrow()) == Decimal(400)
    assert value_on("subsidy.class1.monthly", timezone.localdate(), district) == Decimal(400)


def test_a_new_version_applies_from_its_date_and_leaves_the_past_alone():
    # given the city raises the class 1 subsidy from tomorrow
    PolicyValue.objects.create(key="subsidy.class1.monthly", value=Decimal(450),
                               valid_from=_tomorrow())
    # then today still reads 400 and tomorrow reads 450
    assert value_on("subsidy.class1.monthly", timezone.localdate()) == Decimal(400)
    assert value_on("subsidy.class1.monthly", _tomorrow()) == Decimal(450)
    assert values_on(_tomorrow())["subsidy.class1.monthly"] == Decimal(450)


def test_no_value_before_the_first_version():
    with pytest.raises(PolicyValueMissing):
        value_on("subsidy.class1.monthly", date(2000, 1, 1))


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        value_on("subsidy.no_such_thing", date(2026, 1, 1))


def test_a_version_in_force_cannot_be_rewritten_even_by_sql():
    version = PolicyValue.objects.get(key="subsidy.class1.monthly", region=None,
                                      valid_from__lte=date(2026, 1, 1))
    with pytest.raises(InternalError), transaction.atomic():
        PolicyValue.objects.filter(pk=version.pk).update(value=Decimal(1))
    with pytest.raises(InternalError), transaction.atomic():
        PolicyValue.objects.filter(pk=version.pk).delete()
    version.refresh_from_db()
    assert version.value == Decimal(400)


@pytest.mark.parametrize("days_ago", [0, 1, 400])
def test_a_backdated_version_is_refused_by_the_form_and_the_database(days_ago):
    # given a value dated today or in the past, which would change history
    backdated = PolicyValue(key="subsidy.class1.monthly", value=Decimal(1),
                            valid_from=timezone.localdate() - timedelta(days=days_ago))
    # then validation names the field
    with pytest.raises(ValidationError) as error:
        backdated.full_clean()
    assert error.value.error_dict["valid_from"][0].code == "not_after_today"
    # and the database refuses it even without validation
    with pytest.raises(InternalError), transaction.atomic():
        backdated.save()
    assert value_on("subsidy.class1.monthly", timezone.localdate()) == Decimal(400)


def test_a_future_version_may_be_corrected_but_not_moved_into_the_past():
    future = PolicyValue.objects.create(key="bonus.good", value=Decimal(5),
                                        valid_from=date(2099, 1, 1))
    PolicyValue.objects.filter(pk=future.pk).update(value=Decimal("3.5"))
    future.refresh_from_db()
    assert future.value == Decimal("3.5")
    with pytest.raises(InternalError), transaction.atomic():
        PolicyValue.objects.filter(pk=future.pk).update(valid_from=date(2020, 1, 1))


def test_one_version_per_key_district_and_day():
    PolicyValue.objects.create(key="bonus.good", value=Decimal(3), valid_from=date(2099, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyValue.objects.create(key="bonus.good", value=Decimal(4),
                                   valid_from=date(2099, 1, 1))


def test_a_share_above_one_is_refused():
    with pytest.raises(ValidationError) as error:
        PolicyValue(key="subsidy.class2.copay_share", value=Decimal("1.5"),
                    valid_from=date(2099, 1, 1)).full_clean()
    assert error.value.error_dict["value"][0].code == "share_above_one"
