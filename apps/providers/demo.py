"""The demo provider's roster: a few staff, a nurse with a valid practising
certificate, both compulsory insurance policies and 8 declared
rehabilitation-nursing clients, so the demo provider is compliant."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apps.providers.models import (
    Certificate,
    CertificateKind,
    InsuranceKind,
    InsurancePolicy,
    Provider,
    StaffMember,
    StaffRole,
)

# name, role, certificate kind, number, years the certificate runs (None: no expiry)
STAFF = [
    ("何雪梅", StaffRole.NURSE, CertificateKind.NURSE_PRACTISING, "DEMO-HS-0001", 5),
    ("陈志明", StaffRole.CAREGIVER, CertificateKind.ELDERCARE_WORKER, "DEMO-YL-0002", None),
    ("罗晓燕", StaffRole.CAREGIVER, CertificateKind.ELDERCARE_WORKER, "DEMO-YL-0003", None),
    ("梁嘉怡", StaffRole.SOCIAL_WORKER, CertificateKind.SOCIAL_WORKER, "DEMO-SG-0004", None),
]
POLICIES = [
    (InsuranceKind.PREMISES_LIABILITY, "中国人民财产保险广州分公司（演示）", "DEMO-CS-0001"),
    (InsuranceKind.STAFF_ACCIDENT, "中国平安财产保险广州分公司（演示）", "DEMO-YG-0001"),
]


@transaction.atomic
def build_demo_roster(provider: Provider, today: date | None = None) -> None:
    """Give ``provider`` its demo roster; re-running refreshes the dates."""
    today = today or timezone.localdate()
    start = today - timedelta(days=180)
    for kind, insurer, number in POLICIES:
        InsurancePolicy.objects.update_or_create(
            provider=provider, kind=kind, policy_number=number,
            defaults={"insurer": insurer, "valid_from": start,
                      "valid_until": start + timedelta(days=364 * 2)})
    for name, role, kind, number, years in STAFF:
        member, _created = StaffMember.objects.update_or_create(
            provider=provider, name=name,
            defaults={"role": role, "active": True, "joined_on": today - timedelta(days=400)})
        issued = today - timedelta(days=365)
        Certificate.objects.update_or_create(
            staff=member, kind=kind, number=number,
            defaults={"issued_on": issued,
                      "expires_on": None if years is None
                      else issued + timedelta(days=365 * years)})
    provider.rehab_nursing_clients = 8
    provider.save(update_fields=["rehab_nursing_clients", "updated_at"])
