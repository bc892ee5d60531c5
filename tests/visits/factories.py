"""Shared test helpers for plans, agreements and visits (issue 6).

``world()`` builds a ready world in one call: a district and its street, a
provider with an active contract covering the street (a rehabilitation
nursing item, min 30 minutes, per visit; a home life-care item, per hour,
min 60 minutes), an active caregiver, a local-hukou elder of the street with
a current class-1 entitlement and a home location, an agreement with both
items and a plan. Every row is written straight to its table (no service
checks), so a test can bend any of it.

``make_visit(world, ...)`` stores an accepted ``ServiceVisit`` directly.
``visit_input(world, ...)`` gives a ``VisitInput`` row that ``intake.submit``
accepts as it stands.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.careplans.models import (
    AgreementItem,
    ServiceAgreement,
    ServicePlan,
    ServicePlanItem,
)
from apps.catalogue.models import ServiceItem
from apps.contracts.models import Contract
from apps.elders.models import Elder
from apps.providers.models import Provider, StaffMember
from apps.regions.models import Region
from apps.subsidies.models import Entitlement
from tests.contracts.factories import ContractFactory
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, RegionFactory, staff
from tests.providers.factories import StaffMemberFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
REHAB = "RN-HOME"  # rehabilitation nursing, per visit, at least 30 minutes
LIFE_CARE = "LC-HOME"  # home life care, per hour, at least 60 minutes
PRICES = {REHAB: Decimal("50.00"), LIFE_CARE: Decimal("38.00")}
HOME = "23.129100,113.264400"  # the elder's registered address, as "lat,lon"
WORLD_STARTS = date(2024, 1, 1)
CONTRACT_ENDS = date(2099, 12, 31)

_references = itertools.count(1)
_visit_ids = itertools.count(1)


def item(code: str) -> ServiceItem:
    return ServiceItem.objects.get(code=code)


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime at ``hour:minute`` Asia/Shanghai on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def recent_day(days_ago: int = 3) -> date:
    """A day in the past (the local date ``days_ago`` days before today)."""
    return timezone.localdate() - timedelta(days=days_ago)


def next_visit_id(prefix: str = "V") -> str:
    return f"{prefix}{next(_visit_ids):06d}"


@dataclass
class World:
    district: Region
    street: Region
    provider: Provider
    contract: Contract
    caregiver: StaffMember
    elder: Elder
    entitlement: Entitlement
    plan: ServicePlan
    agreement: ServiceAgreement
    rehab: ServiceItem
    life_care: ServiceItem
    user: User  # a provider_staff account of the provider

    def price(self, code: str) -> Decimal:
        return PRICES[code]


def add_elder(world_or_street, *, provider=None, contract=None, local_hukou: bool = True,
              entitlement: bool = True, agreement: bool = True, plan: bool = True,
              times_per_month: int = 8, **elder_fields) -> dict:
    """Another elder of the world's street (or of ``street``) with, unless
    told otherwise, a current class-1 entitlement, a plan and an agreement
    with the world's provider covering both items. Returns the rows."""
    if isinstance(world_or_street, World):
        street = world_or_street.street
        provider = provider or world_or_street.provider
        contract = contract or world_or_street.contract
    else:
        street = world_or_street
    elder_fields.setdefault("home_location", HOME)
    elder = ElderFactory(residence_street=street,
                         hukou_street=street if local_hukou else None, **elder_fields)
    rows: dict = {"elder": elder, "entitlement": None, "plan": None, "agreement": None}
    if entitlement:
        rows["entitlement"] = EntitlementFactory(
            elder=elder, valid_from=WORLD_STARTS, service_street=street,
            paying_district=street.parent)
    if plan:
        rows["plan"] = make_plan(elder, provider=provider, entitlement=rows["entitlement"],
                                 times_per_month=times_per_month)
    if agreement and provider is not None:
        rows["agreement"] = make_agreement(elder, provider, contract, plan=rows["plan"])
    return rows


def make_plan(elder, *, provider=None, entitlement=None, times_per_month: int = 8,
              starts_on: date = WORLD_STARTS, codes=(REHAB, LIFE_CARE)) -> ServicePlan:
    plan = ServicePlan.objects.create(elder=elder, entitlement=entitlement, starts_on=starts_on)
    for code in codes:
        ServicePlanItem.objects.create(plan=plan, service_item=item(code), provider=provider,
                                       times_per_month=times_per_month,
                                       unit_price=PRICES.get(code, Decimal("20.00")))
    return plan


def make_agreement(elder, provider, contract, *, plan=None, starts_on: date = WORLD_STARTS,
                   codes=(REHAB, LIFE_CARE), **fields) -> ServiceAgreement:
    agreement = ServiceAgreement.objects.create(
        reference=f"XY-T{next(_references):06d}", elder=elder, provider=provider,
        contract=contract, plan=plan, signed_on=starts_on, starts_on=starts_on, **fields)
    for code in codes:
        AgreementItem.objects.create(agreement=agreement, service_item=item(code),
                                     unit_price=PRICES.get(code, Decimal("20.00")))
    return agreement


def world(*, district=None, street=None, times_per_month: int = 8) -> World:
    """A ready world (see the module docstring)."""
    district = district or RegionFactory.district()
    street = street or RegionFactory.street(district)
    provider = ProviderFactory(region=district)
    rehab, life_care = item(REHAB), item(LIFE_CARE)
    contract = ContractFactory(
        street=street, provider=provider, covered_area=[street],
        signed_on=WORLD_STARTS - timedelta(days=10), starts_on=WORLD_STARTS,
        ends_on=CONTRACT_ENDS,
        items=[(rehab, PRICES[REHAB]), (life_care, PRICES[LIFE_CARE])])
    caregiver = StaffMemberFactory(provider=provider, role="caregiver")
    rows = add_elder(street, provider=provider, contract=contract,
                     times_per_month=times_per_month)
    return World(
        district=district, street=street, provider=provider, contract=contract,
        caregiver=caregiver, elder=rows["elder"], entitlement=rows["entitlement"],
        plan=rows["plan"], agreement=rows["agreement"], rehab=rehab, life_care=life_care,
        user=staff(Role.PROVIDER_STAFF, provider=provider))


def make_visit(w: World, *, check_in_at: datetime | None = None, minutes: int = 45,
               code: str = REHAB, elder=None, caregiver=None, agreement=None,
               provider_visit_id: str | None = None, version: int = 1, supersedes=None,
               flags=(), units: Decimal | None = None, channel: str = "form", **fields):
    """An accepted visit written straight to the table (no validation)."""
    from apps.visits.models import CheckMethod, ServiceVisit

    check_in_at = check_in_at or local(recent_day(), 9)
    service_item = item(code)
    price = PRICES.get(code, Decimal("20.00"))
    if units is None:
        units = (Decimal(max(1, minutes // 30)) / 2 if service_item.unit == "hour"
                 else Decimal(1))
    fields.setdefault("check_in_method", CheckMethod.CARD)
    fields.setdefault("check_out_method", CheckMethod.CARD)
    return ServiceVisit.objects.create(
        provider=w.provider, provider_visit_id=provider_visit_id or next_visit_id(),
        version=version, supersedes=supersedes,
        elder=elder or w.elder, agreement=agreement or w.agreement,
        caregiver=caregiver or w.caregiver, service_item=service_item,
        service_date=timezone.localtime(check_in_at, SHANGHAI).date(),
        check_in_at=check_in_at, check_out_at=check_in_at + timedelta(minutes=minutes),
        units=units, unit_price=price, amount=(units * price).quantize(Decimal("0.01")),
        flags=list(flags), channel=channel, **fields)


def visit_input(w: World, *, check_in_at: datetime | None = None, minutes: int = 45,
                code: str = REHAB, elder=None, caregiver=None,
                provider_visit_id: str | None = None, **fields):
    """A ``VisitInput`` the intake accepts as it stands (card swipes of a
    local elder, 45 minutes of rehabilitation nursing three days ago)."""
    from apps.visits.intake import VisitInput

    check_in_at = check_in_at or local(recent_day(), 9)
    elder = elder or w.elder
    fields.setdefault("check_in_method", "card")
    fields.setdefault("check_out_method", "card")
    fields.setdefault("elder_id_number", elder.id_number)
    return VisitInput(
        provider_visit_id=provider_visit_id or next_visit_id(), service_item=code,
        caregiver=caregiver if isinstance(caregiver, str) else str((caregiver
                                                                    or w.caregiver).pk),
        check_in_at=check_in_at,
        check_out_at=check_in_at + timedelta(minutes=minutes), **fields)


def visit_payload(w: World, *, check_in_at: datetime | None = None, minutes: int = 45,
                  code: str = REHAB, elder=None, caregiver=None,
                  provider_visit_id: str | None = None, **fields) -> dict:
    """The same row as the API's JSON."""
    check_in_at = check_in_at or local(recent_day(), 9)
    elder = elder or w.elder
    row = {
        "provider_visit_id": provider_visit_id or next_visit_id(),
        "elder_id_number": elder.id_number,
        "service_item": code,
        "caregiver": caregiver if isinstance(caregiver, str) else str((caregiver
                                                                     or w.caregiver).pk),
        "check_in_at": check_in_at.isoformat(),
        "check_out_at": (check_in_at + timedelta(minutes=minutes)).isoformat(),
        "check_in_method": "card",
        "check_out_method": "card",
    }
    row.update(fields)
    return row
