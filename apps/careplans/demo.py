"""Demo plans and agreements: for a few approved elders of the streets the
demo provider's contract covers, a plan (home life care and canteen meals
from the provider) and the agreement signed on it. Safe to run twice."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from apps.careplans import services
from apps.careplans.models import ServicePlan
from apps.catalogue.models import ServiceItem
from apps.contracts.models import Contract, ContractStatus
from apps.subsidies.models import Entitlement

# item code -> (times a month, units each time)
DEMO_LINES = {"LC-HOME": (8, Decimal(1)), "ML-CANTEEN": (20, Decimal(1))}


def build_demo_care_plans(provider, *, elders: int = 3) -> list[ServicePlan]:
    """Write a plan and sign an agreement with ``provider`` for up to
    ``elders`` approved elders of the streets its active contract covers
    who have no plan yet."""
    contract = (Contract.objects.filter(provider=provider, status=ContractStatus.ACTIVE)
                .order_by("-starts_on").first())
    if contract is None:
        return []
    items = {item.code: item for item in ServiceItem.objects.filter(
        code__in=DEMO_LINES, contract_items__contract=contract)}
    if not items:
        return []
    area = contract.covered_area.all()
    entitlements = (Entitlement.objects.current()
                    .filter(Q(elder__residence_street__in=area) | Q(elder__community__in=area))
                    .exclude(elder__service_plans__isnull=False)
                    .select_related("elder", "service_street").order_by("pk")[:elders])
    plans = []
    for entitlement in entitlements:
        starts_on = max(entitlement.valid_from, contract.starts_on)
        elder = entitlement.elder
        plan = services.write_plan(
            elder=elder, starts_on=starts_on,
            needs="居家生活照料，每周两次；工作日午餐在长者饭堂。",
            items=[services.PlanLine(service_item=item, provider=provider,
                                     times_per_month=DEMO_LINES[code][0],
                                     units_per_time=DEMO_LINES[code][1])
                   for code, item in items.items()])
        services.sign_agreement(
            elder=elder, provider=provider, plan=plan, signed_on=starts_on,
            starts_on=starts_on, schedule="周二、周四上午上门；工作日午餐",
            items=[(item, DEMO_LINES[code][0]) for code, item in items.items()])
        plans.append(plan)
    return plans
