"""Roster factories: policies, staff and certificates of one provider."""

import itertools
from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.providers.models import Certificate, InsurancePolicy, StaffMember
from tests.factories import ProviderFactory

_numbers = itertools.count(1)


class InsurancePolicyFactory(DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    provider = factory.SubFactory(ProviderFactory)
    kind = "premises_liability"
    insurer = "Insurer"
    policy_number = factory.LazyFunction(lambda: f"P{next(_numbers):06d}")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=335))


class StaffMemberFactory(DjangoModelFactory):
    class Meta:
        model = StaffMember

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Staff {n}")
    role = "caregiver"
    joined_on = date(2025, 1, 1)


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffMemberFactory)
    kind = "eldercare_worker"
    number = factory.LazyFunction(lambda: f"C{next(_numbers):06d}")
    issued_on = date(2025, 1, 1)
    expires_on = None


def insured(provider, **kwargs):
    """Both compulsory policies, in force today."""
    for kind in ("premises_liability", "staff_accident"):
        InsurancePolicyFactory(provider=provider, kind=kind, **kwargs)
    return provider


def nurse(provider, *, expires_on=None, **kwargs):
    """An active nurse holding a practising certificate."""
    member = StaffMemberFactory(provider=provider, role="nurse", **kwargs)
    CertificateFactory(staff=member, kind="nurse_practising", expires_on=expires_on)
    return member
