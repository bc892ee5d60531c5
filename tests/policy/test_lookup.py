"""Policy values: dated versions, read through one lookup, never rewritten."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from apps.policy.lookup import PolicyValueMissing, value_on, values_on
from apps.policy.models import PolicyValue
from apps.policy.parameters import PARAMETERS, SEED_VALUES

pytestmark = pytest.mark.django_db


def test_every_parameter_is_seeded():
    assert {key for key, _v, _d in SEED_VALUES} == set(PARAMETERS)
    assert set(values_on(date(2026, 1, 1))) == set(PARAMETERS)


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


def test_a_new_version_applies_from_its_date_and_leaves_the_past_alone():
    # given the city raises the class 1 subsidy from 2027
    PolicyValue.objects.create(key="subsidy.class1.monthly", value=Decimal(450),
                               valid_from=date(2027, 1, 1))
    # then December 2026 still reads 400 and January 2027 reads 450
    assert value_on("subsidy.class1.monthly", date(2026, 12, 31)) == Decimal(400)
    assert value_on("subsidy.class1.monthly", date(2027, 1, 1)) == Decimal(450)
    assert values_on(date(2027, 1, 15))["subsidy.class1.monthly"] == Decimal(450)


def test_no_value_before_the_first_version():
    with pytest.raises(PolicyValueMissing):
        value_on("subsidy.class1.monthly", date(2000, 1, 1))


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        value_on("subsidy.no_such_thing", date(2026, 1, 1))


def test_a_version_in_force_cannot_be_rewritten_even_by_sql():
    version = PolicyValue.objects.get(key="subsidy.class1.monthly",
                                      valid_from__lte=date(2026, 1, 1))
    with pytest.raises(InternalError), transaction.atomic():
        PolicyValue.objects.filter(pk=version.pk).update(value=Decimal(1))
    with pytest.raises(InternalError), transaction.atomic():
        PolicyValue.objects.filter(pk=version.pk).delete()
    version.refresh_from_db()
    assert version.value == Decimal(400)


def test_a_future_version_may_be_corrected():
    future = PolicyValue.objects.create(key="bonus.good", value=Decimal(5),
                                        valid_from=timezone.localdate().replace(year=2099))
    PolicyValue.objects.filter(pk=future.pk).update(value=Decimal("3.5"))
    future.refresh_from_db()
    assert future.value == Decimal("3.5")


def test_one_version_per_key_and_day():
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyValue.objects.create(key="bonus.good", value=Decimal(3),
                                   valid_from=SEED_VALUES[0][2])
