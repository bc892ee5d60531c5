"""State changes of service plans and service agreements (Art 16, 17,
28(4), 29). Each runs in a transaction and refuses with a ValidationError
naming the field and a code; the scope of the caller is the view's concern.

A plan and an agreement are for an approved elder only: one holding an
entitlement (own-cost services included, a cancelled one not) in force on
the first day, even one already ending at a month's end (Art 32: the rest of
the month is still served). The street that serves the elder (writes the
plan, picks the provider) is the entitlement's service street (Art 30),
else the street of residence; the provider is one contracted for where the
elder lives, the street or community of residence (Art 30: a provider near
the residence, also for an elder whose hukou is in another district).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.careplans import rules
from apps.careplans.models import (
    FAMILY_NOTICE_REASONS,
    AgreementEndReason,
    AgreementItem,
    AgreementStatus,
    PlanStatus,
    ServiceAgreement,
    ServicePlan,
    ServicePlanItem,
)
from apps.contracts.models import Contract
from apps.contracts.services import bar_in_force
from apps.elders.models import Elder
from apps.subsidies.models import Entitlement

# (service item, times per month or None for on demand), as a form or a
# serializer gives them
AgreedItems = Sequence[tuple[object, int | None]]

# Art 17: the reasons staff record. The term running out and the
# entitlement ending are recorded by ``expire_agreements``.
ART_17_REASONS = tuple(reason for reason in AgreementEndReason
                       if reason not in (AgreementEndReason.EXPIRED,
                                         AgreementEndReason.ENTITLEMENT_ENDED))


def _error(field_name: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code,
                                                        params=params or None)})


# --- the elder, the area, the provider's contract ------------------------------


def current_entitlement(elder, day: date) -> Entitlement | None:
    """The elder's current entitlement if it has begun by ``day`` (own-cost
    services included)."""
    return (Entitlement.objects.current().filter(elder=elder, valid_from__lte=day)
            .select_related("service_street").first())


def entitlement_on(elder, day: date) -> Entitlement | None:
    """The elder's entitlement in force on ``day``, not cancelled (own-cost
    services included); one ending at the month's end still serves its
    last days (Art 32)."""
    return Entitlement.objects.select_related("service_street").serving(elder, day)


def _approved(elder, day: date) -> Entitlement:
    entitlement = entitlement_on(elder, day)
    if entitlement is None:
        raise _error("elder",
                     _("%(elder)s holds no approved entitlement on %(day)s: plans and "
                       "agreements are for approved elders (Art 28)."), "not_approved",
                     elder=elder.name, day=day.isoformat())
    return entitlement


def service_street(elder, entitlement: Entitlement | None = None):
    """The street that serves the elder (writes the plan, helps choose the
    provider, Art 30): the service street of the current entitlement (else
    of the one in force today), else the street of residence."""
    if entitlement is None:
        entitlement = (Entitlement.objects.current().filter(elder=elder)
                       .select_related("service_street").first()
                       or entitlement_on(elder, timezone.localdate()))
    return entitlement.service_street if entitlement is not None else elder.residence_street


def service_area(elder) -> list[int]:
    """The ids of the regions a contract may cover to serve the elder: the
    street and community of residence (Art 30)."""
    return rules.service_area_ids(elder.residence_street_id, elder.community_id)


def covering_contracts(elder, first: date, last: date | None = None):
    """Active contracts covering where the elder lives at some time between
    ``first`` and ``last`` (``first`` alone: on that day)."""
    return (Contract.objects.active_between(first, last or first)
            .covering(*service_area(elder)))


def contract_for(*, provider, elder, day: date) -> Contract | None:
    """The provider's active contract covering where the elder lives on
    ``day`` (the latest started where several do)."""
    return (covering_contracts(elder, day).filter(provider=provider)
            .order_by("-starts_on", "-pk").first())


def _contract_prices(contract: Contract) -> dict[int, Decimal]:
    return dict(contract.items.values_list("service_item_id", "price"))


def _check_not_barred(provider, field_name: str, *days: date) -> None:
    for day in dict.fromkeys(days):
        bar = bar_in_force(provider, day)
        if bar is not None:
            raise _error(field_name,
                         _("%(provider)s is barred until %(lifts)s (Art 25)."), "barred",
                         provider=provider.name, lifts=bar.lifts_on.isoformat())


def _lock_elder(elder) -> None:
    """One plan or agreement written for an elder at a time."""
    Elder.objects.select_for_update().filter(pk=elder.pk).values_list("pk").first()


# --- plans ---------------------------------------------------------------------


@dataclass
class PlanLine:
    """A planned service as a form or a serializer gives it; ``unit_price``
    None takes the default price."""

    service_item: object
    times_per_month: int
    units_per_time: Decimal = Decimal(1)
    provider: object = None
    unit_price: Decimal | None = None

    @classmethod
    def of(cls, value) -> PlanLine:
        if isinstance(value, PlanLine):
            return value
        data = dict(value)
        if data.get("units_per_time") is None:
            data.pop("units_per_time", None)
        return cls(**data)


def _price_lines(lines: list[PlanLine], *, elder, starts_on: date) -> list[Decimal]:
    """The unit price of each line: as given, else the price of the
    provider's contract covering where the elder lives on ``starts_on``, else
    the city guide price in force that day (no provider named)."""
    prices: list[Decimal] = []
    contracts: dict[int, dict[int, Decimal] | None] = {}
    seen = set()
    for line in lines:
        item, provider = line.service_item, line.provider
        key = (item.pk, getattr(provider, "pk", None))
        if key in seen:
            raise _error("items", _("%(item)s is listed twice for the same provider."),
                         "duplicate_item", item=item.name)
        seen.add(key)
        if line.times_per_month is None or line.times_per_month < 1:
            raise _error("items", _("%(item)s: give how many times a month, at least once."),
                         "times_per_month", item=item.name)
        if line.units_per_time is None or line.units_per_time <= 0:
            raise _error("items", _("%(item)s: give how many units each time."),
                         "units_per_time", item=item.name)
        if line.unit_price is not None and line.unit_price < 0:
            raise _error("items", _("The price of %(item)s cannot be negative."),
                         "negative_price", item=item.name)
        if provider is not None:
            if provider.pk not in contracts:
                contract = contract_for(provider=provider, elder=elder, day=starts_on)
                contracts[provider.pk] = (None if contract is None
                                          else _contract_prices(contract))
            contracted = contracts[provider.pk]
            if contracted is None or item.pk not in contracted:
                raise _error("items",
                             _("%(provider)s has no contract covering %(street)s for "
                               "%(item)s on %(day)s."), "not_contracted",
                             provider=provider.name, street=elder.residence_street.name,
                             item=item.name, day=starts_on.isoformat())
            default = contracted[item.pk]
        else:
            default = item.guide_price_on(starts_on)
        price = line.unit_price if line.unit_price is not None else default
        if price is None:
            raise _error("items",
                         _("%(item)s has no city guide price: give its unit price or a "
                           "contracted provider."), "no_price", item=item.name)
        prices.append(price)
    return prices


def _care_manager_for(elder, care_manager, street):
    from apps.caremanagers.models import CaseAssignment

    if care_manager is None:
        assignment = (CaseAssignment.objects.open().filter(elder=elder)
                      .select_related("care_manager").first())
        return assignment.care_manager if assignment is not None else None
    if care_manager.street_id != street.pk or not care_manager.active:
        raise _error("care_manager",
                     _("The care manager is an active care manager of %(street)s."),
                     "wrong_street", street=street.name)
    return care_manager


@transaction.atomic
def write_plan(*, elder, items: Iterable[PlanLine | Mapping], starts_on: date,
               care_manager=None, user=None, needs: str = "", note: str = "") -> ServicePlan:
    """Write the elder's service plan from ``starts_on`` (Art 28(4)).

    The elder must hold an entitlement in force that day. The plan in
    force, if any, is superseded from that day (it ends the day before; it
    stays readable). A line's unit price defaults to the price of the named
    provider's contract covering where the elder lives, or to the
    city guide price where no provider is named; a provider without such a
    contract for the item is refused. The care manager defaults to the one
    the elder is assigned to.
    """
    _lock_elder(elder)
    entitlement = _approved(elder, starts_on)
    street = entitlement.service_street
    lines = [PlanLine.of(line) for line in items]
    if not lines:
        raise _error("items", _("List at least one service."), "required")
    prices = _price_lines(lines, elder=elder, starts_on=starts_on)
    care_manager = _care_manager_for(elder, care_manager, street)
    current = ServicePlan.objects.select_for_update().filter(
        elder=elder, status=PlanStatus.ACTIVE).first()
    if current is not None:
        if not rules.may_supersede(current.starts_on, starts_on):
            raise _error("starts_on",
                         _("The plan in force starts on %(day)s: a new plan starts after "
                           "it."), "not_after_current", day=current.starts_on.isoformat())
        last_day = rules.superseded_until(starts_on)
        current.status = PlanStatus.SUPERSEDED
        current.ends_on = min(current.ends_on, last_day) if current.ends_on else last_day
        current.save(update_fields=["status", "ends_on", "updated_at"])
    plan = ServicePlan(elder=elder, entitlement=entitlement, care_manager=care_manager,
                       starts_on=starts_on, needs=needs.strip(), note=note.strip(),
                       written_by=user)
    plan.full_clean()
    plan.save()
    for line, price in zip(lines, prices, strict=True):
        row = ServicePlanItem(plan=plan, service_item=line.service_item, provider=line.provider,
                              times_per_month=line.times_per_month,
                              units_per_time=line.units_per_time, unit_price=price)
        row.full_clean()
        row.save()
    return plan


def plan_in_force(elder, day: date) -> ServicePlan | None:
    """The elder's plan covering ``day`` (a superseded plan covers its days)."""
    return (ServicePlan.objects.in_force_on(day).filter(elder=elder)
            .order_by("-starts_on", "-pk").first())


@dataclass(frozen=True)
class MonthPlans:
    """The plans covering some day of a period, as the coverage reads them
    (``rules.plan_coverage``): each plan's period and its allowances."""

    periods: list[tuple[int, date, date | None]]
    allowances: dict[int, dict[rules.PlanKey, Decimal]]

    def plan_on(self, day: date) -> int | None:
        return rules.plan_on(self.periods, day)


def plans_during(elder, first: date, last: date) -> MonthPlans:
    """The elder's plans covering some day of ``first``..``last``, with the
    units each allows a month per item and provider (two queries)."""
    plans = list(ServicePlan.objects.filter(elder=elder, starts_on__lte=last)
                 .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
                 .prefetch_related("items"))
    return MonthPlans(
        periods=[(plan.pk, plan.starts_on, plan.ends_on) for plan in plans],
        allowances={plan.pk: rules.plan_allowances(
            rules.PlanAllowanceLine(item.service_item_id, item.provider_id,
                                    item.times_per_month, item.units_per_time)
            for item in plan.items.all()) for plan in plans})


def items_outside_plan(agreement: ServiceAgreement, day: date | None = None) -> list:
    """The agreed services the elder's plan in force on ``day`` does not hold
    for the agreement's provider or for no provider: the elder pays them
    (Art 29). ``day`` defaults to today within the agreement's term (its
    first day before it starts, its last day once over). Without a plan in
    force nothing is named."""
    if day is None:
        day = max(timezone.localdate(), agreement.starts_on)
        last = min((d for d in (agreement.ended_on, agreement.ends_on) if d is not None),
                   default=None)
        if last is not None:
            day = max(min(day, last), agreement.starts_on)
    plan = plan_in_force(agreement.elder_id, day)
    if plan is None:
        return []
    planned = {(item_id, provider_id) for item_id, provider_id
               in plan.items.values_list("service_item_id", "provider_id")}
    agreed = [row.service_item for row in
              agreement.items.select_related("service_item").order_by("service_item__code")]
    outside = set(rules.outside_plan([item.pk for item in agreed], planned,
                                     agreement.provider_id))
    return [item for item in agreed if item.pk in outside]


def budget_for(plan: ServicePlan) -> rules.Budget:
    """The monthly budget of ``plan`` against the entitlement it was
    written under (reads the plan's items; prefetch them for a list)."""
    entitlement = plan.entitlement
    rule = None if entitlement is None else entitlement.as_rule()
    return rules.plan_budget(
        [rules.Line(item.times_per_month, item.units_per_time, item.unit_price)
         for item in plan.items.all()], rule)


# --- agreements -------------------------------------------------------------------


def _next_reference(street, year: int) -> str:
    """The next agreement number of the street's district for ``year``;
    a transaction-level lock keeps two signings from taking the same one."""
    code = street.district_code or street.code
    prefix = rules.reference_prefix(code, year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [prefix])
    last = list(ServiceAgreement.objects.filter(reference__startswith=prefix)
                .order_by(Length("reference").desc(), "-reference")
                .values_list("reference", flat=True)[:1])
    return rules.agreement_reference(code, year, rules.next_sequence(prefix, last))


def _check_agreed_items(items: list[tuple[object, int | None]], prices: dict[int, Decimal],
                        contract: Contract) -> None:
    if not items:
        raise _error("items", _("List at least one service of the contract."), "required")
    seen = set()
    for service_item, times in items:
        if service_item.pk in seen:
            raise _error("items", _("%(item)s is listed twice."), "duplicate_item",
                         item=service_item.name)
        seen.add(service_item.pk)
        if service_item.pk not in prices:
            raise _error("items",
                         _("%(item)s is not in contract %(contract)s of the provider."),
                         "not_in_contract", item=service_item.name,
                         contract=contract.reference)
        if times is not None and times < 1:
            raise _error("items", _("%(item)s: at least once a month, or leave it empty "
                                    "for on demand."), "times_per_month",
                         item=service_item.name)


@transaction.atomic
def sign_agreement(*, elder, provider, items: AgreedItems, signed_on: date, starts_on: date,
                   ends_on: date | None = None, schedule: str = "", signatory: str = "",
                   signed_by_agent: bool = False, plan: ServicePlan | None = None,
                   user=None) -> ServiceAgreement:
    """Record the agreement the elder (or agent) signs with a provider
    (Art 16, 29), at the prices of the provider's contract.

    The elder must be approved (an entitlement in force on ``starts_on``,
    own-cost services included); the provider must hold an active contract
    covering where the elder lives on ``starts_on`` and not be
    barred on the signing day or the first day (Art 25); every service
    must be in that contract, whose price is copied. One agreement in
    force per elder and provider. The plan defaults to the elder's plan in
    force. A service the plan does not hold is not refused: the elder pays
    it (Art 29); ``items_outside_plan`` names them for a warning.
    """
    _lock_elder(elder)
    today = timezone.localdate()
    if signed_on > today:
        raise _error("signed_on", _("The signing day cannot be in the future."), "future")
    if starts_on < signed_on:
        raise _error("starts_on", _("The agreement starts on or after the signing day."),
                     "before_signed")
    if ends_on is not None and ends_on < starts_on:
        raise _error("ends_on", _("The agreement ends before it starts."),
                     "ends_before_start")
    entitlement = _approved(elder, starts_on)
    street = entitlement.service_street
    _check_not_barred(provider, "provider", signed_on, starts_on)
    contract = contract_for(provider=provider, elder=elder, day=starts_on)
    if contract is None:
        raise _error("provider",
                     _("%(provider)s has no active contract covering %(street)s on "
                       "%(day)s."), "not_contracted", provider=provider.name,
                     street=elder.residence_street.name, day=starts_on.isoformat())
    items = list(items)
    prices = _contract_prices(contract)
    _check_agreed_items(items, prices, contract)
    if ServiceAgreement.objects.filter(elder=elder, provider=provider,
                                       status=AgreementStatus.ACTIVE).exists():
        raise _already_active(provider)
    if plan is None:
        plan = ServicePlan.objects.filter(elder=elder, status=PlanStatus.ACTIVE).first()
    elif plan.elder_id != elder.pk:
        raise _error("plan", _("The plan is another elder's."), "other_elder")
    signatory = (signatory or "").strip()
    if signed_by_agent and not signatory:
        raise _error("signatory", _("Name the agent who signed."), "required")
    agreement = ServiceAgreement(
        reference=_next_reference(street, signed_on.year), elder=elder, provider=provider,
        contract=contract, plan=plan, signed_on=signed_on, starts_on=starts_on,
        ends_on=ends_on, schedule=schedule.strip(), signed_by_agent=signed_by_agent,
        signatory_name=signatory or elder.name, created_by=user)
    agreement.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as error:
        if "one_active_agreement_per_elder_and_provider" in str(error):
            raise _already_active(provider) from error
        raise
    AgreementItem.objects.bulk_create([
        AgreementItem(agreement=agreement, service_item=service_item,
                      unit_price=prices[service_item.pk], times_per_month=times)
        for service_item, times in items])
    return agreement


def _already_active(provider) -> ValidationError:
    return _error("provider",
                  _("The elder already has an agreement in force with %(provider)s: end "
                    "it first."), "already_active", provider=provider.name)


@transaction.atomic
def end_agreement(*, agreement: ServiceAgreement, reason: str, ended_on: date,
                  note: str = "", family_notified_on: date | None = None,
                  no_family: bool = False, referred_to=None,
                  user=None) -> ServiceAgreement:
    """End an agreement, or refer the elder to another provider, on one of
    the Art 17 grounds; ``ended_on`` is the last day services may be given.

    On serious infectious disease or unstable mental illness the street
    notifies the family to arrange hospital care: the day it did is
    required; where the elder has no agent or close relative the street acts
    under the relevant rules instead ("按相关政策规定办理") and notes what it
    did. A referral names another provider contracted for where the
    elder lives (and not barred) the day after.
    """
    agreement = (ServiceAgreement.objects.select_for_update()
                 .select_related("elder", "provider").get(pk=agreement.pk))
    if agreement.status != AgreementStatus.ACTIVE:
        raise _error("status", _("The agreement is no longer in force."), "not_active")
    if reason not in ART_17_REASONS:
        raise _error("end_reason", _("Choose one of the grounds of Art 17."),
                     "invalid_reason")
    if ended_on < agreement.starts_on:
        raise _error("ended_on", _("The agreement ends on or after its first day, %(day)s."),
                     "before_start", day=agreement.starts_on.isoformat())
    if agreement.ends_on is not None and ended_on > agreement.ends_on:
        raise _error("ended_on", _("The agreement runs out on %(day)s anyway."),
                     "after_end", day=agreement.ends_on.isoformat())
    today = timezone.localdate()
    if reason in FAMILY_NOTICE_REASONS and family_notified_on is None and no_family:
        if not note.strip():
            raise _error("end_note",
                         _("The elder has no agent or close relative: note how the street "
                           "arranged hospital care under the relevant rules (Art 17)."),
                         "no_family_note_required")
    elif reason in FAMILY_NOTICE_REASONS and family_notified_on is None:
        raise _error("family_notified_on",
                     _("Record the day the street notified the family to arrange hospital "
                       "care (Art 17)."), "family_notice_required")
    if family_notified_on is not None and family_notified_on > today:
        raise _error("family_notified_on", _("The day cannot be in the future."), "future")
    status = AgreementStatus.ENDED
    if referred_to is not None:
        if referred_to.pk == agreement.provider_id:
            raise _error("referred_to", _("Refer the elder to another provider."),
                         "same_provider")
        first_day = ended_on + timedelta(days=1)
        _check_not_barred(referred_to, "referred_to", first_day)
        if contract_for(provider=referred_to, elder=agreement.elder, day=first_day) is None:
            raise _error("referred_to",
                         _("%(provider)s has no active contract covering %(street)s on "
                           "%(day)s."), "not_contracted", provider=referred_to.name,
                         street=agreement.elder.residence_street.name,
                         day=first_day.isoformat())
        status = AgreementStatus.REFERRED
    agreement.status = status
    agreement.ended_on = ended_on
    agreement.end_reason = reason
    agreement.end_note = note.strip()
    agreement.family_notified_on = family_notified_on
    agreement.referred_to = referred_to
    agreement.ended_by = user
    agreement.full_clean(validate_constraints=False)
    agreement.save(update_fields=["status", "ended_on", "end_reason", "end_note",
                                  "family_notified_on", "referred_to", "ended_by",
                                  "updated_at"])
    return agreement


@transaction.atomic
def expire_agreements(*, today: date) -> dict[str, int]:
    """End what no longer holds on ``today``: agreements whose last day has
    passed (reason: expired, on their last day), then agreements of elders
    whose entitlement has ended with no current successor (reason:
    entitlement ended, on the entitlement's last day). The plan in force of
    such an elder ends on that day too. Safe to run twice."""
    counts = {"expired": 0, "entitlement_ended": 0, "plans_ended": 0}
    for agreement in ServiceAgreement.objects.select_for_update().filter(
            status=AgreementStatus.ACTIVE, ends_on__lt=today):
        _close(agreement, AgreementEndReason.EXPIRED, agreement.ends_on)
        counts["expired"] += 1
    current = Entitlement.objects.current().filter(elder=OuterRef("elder"))
    last_day = (Entitlement.objects.filter(elder=OuterRef("elder"), valid_until__isnull=False)
                .order_by("-valid_until").values("valid_until")[:1])
    lapsed = Q(has_current=False, last_day__lt=today)
    for agreement in (ServiceAgreement.objects.select_for_update(of=("self",))
                      .filter(status=AgreementStatus.ACTIVE)
                      .annotate(has_current=Exists(current), last_day=Subquery(last_day))
                      .filter(lapsed)):
        _close(agreement, AgreementEndReason.ENTITLEMENT_ENDED, agreement.last_day)
        counts["entitlement_ended"] += 1
    for plan in (ServicePlan.objects.select_for_update(of=("self",))
                 .filter(status=PlanStatus.ACTIVE)
                 .annotate(has_current=Exists(current), last_day=Subquery(last_day))
                 .filter(lapsed)):
        plan.status = PlanStatus.ENDED
        plan.ends_on = max(plan.last_day, plan.starts_on)
        plan.save(update_fields=["status", "ends_on", "updated_at"])
        counts["plans_ended"] += 1
    return counts


def _close(agreement: ServiceAgreement, reason: str, on: date) -> None:
    agreement.status = AgreementStatus.ENDED
    agreement.end_reason = reason
    agreement.ended_on = on
    agreement.save(update_fields=["status", "end_reason", "ended_on", "updated_at"])
