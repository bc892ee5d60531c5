"""State changes of contracts, renewals, tender bars and three-party
agreements. Each runs in a transaction and refuses with a ValidationError
naming the field and a code; the scope of the caller is the view's concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.contracts import rules
from apps.contracts.models import (
    CarerAgreement,
    Contract,
    ContractRenewal,
    ContractStatus,
    RenewalDecision,
    TenderBar,
    labelled_grades,
)
from apps.evaluations.models import ProviderGrade
from apps.policy.lookup import value_on
from apps.regions.models import RegionKind

# (service item, price) pairs, as a form or a serializer gives them
ItemPrices = Sequence[tuple[object, Decimal]]


def _district_of(region):
    """The district a region lies in (None for the city)."""
    if region is None or region.kind == RegionKind.CITY:
        return None
    while region.kind != RegionKind.DISTRICT:
        region = region.parent
    return region


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def bar_in_force(provider, day: date) -> TenderBar | None:
    """Return the tender bar of ``provider`` in force on ``day``, if any."""
    return TenderBar.objects.in_force(provider=provider, day=day).first()


# --- contracts ---------------------------------------------------------------


def _check_contract(*, purchaser, provider, covered_area, signed_on: date, starts_on: date,
                    ends_on: date, items: ItemPrices, check_bar: bool = True) -> None:
    if purchaser.kind not in (RegionKind.DISTRICT, RegionKind.STREET):
        raise _error("purchaser", _("The purchaser is a district or a street."),
                     "purchaser_level")
    if not covered_area:
        raise _error("covered_area", _("Name the streets or communities the contract covers."),
                     "required")
    district = _district_of(purchaser)
    outside = [r.name for r in covered_area
               if r.kind not in (RegionKind.STREET, RegionKind.COMMUNITY)
               or not r.path.startswith(purchaser.path)]
    if outside:
        raise _error("covered_area",
                     _("Covered areas are streets or communities of the purchaser: "
                       "%(regions)s are not."), "outside_purchaser",
                     regions="、".join(outside))
    if ends_on < starts_on:
        raise _error("ends_on", _("The contract ends before it starts."), "ends_before_start")
    max_years = int(value_on("contract.max_years", starts_on, district))
    last = rules.last_allowed_end(starts_on, max_years)
    if ends_on > last:
        raise _error("ends_on",
                     _("A contract runs at most %(years)s years: it may end on %(last)s at "
                       "the latest (Art 14)."), "term_too_long",
                     years=max_years, last=last.isoformat())
    if check_bar:
        _check_bar(provider=provider, signed_on=signed_on, starts_on=starts_on)
    _check_items(items)


def _check_bar(*, provider, signed_on: date, starts_on: date) -> None:
    """Refuse a contract signed or starting while the provider is barred
    from tenders (Art 25): a contract signed during the bar is refused even
    if it starts after the bar lifts."""
    for day in dict.fromkeys((signed_on, starts_on)):
        bar = bar_in_force(provider, day)
        if bar is not None:
            raise _error("provider",
                         _("%(provider)s is barred from tenders until %(lifts)s (Art 25)."),
                         "barred", provider=provider.name, lifts=bar.lifts_on.isoformat())


def _check_items(items: ItemPrices) -> None:
    seen = set()
    for service_item, price in items:
        if service_item.pk in seen:
            raise _error("items", _("%(item)s is listed twice."), "duplicate_item",
                         item=service_item.name)
        seen.add(service_item.pk)
        if price is None or price < 0:
            raise _error("items", _("The price of %(item)s cannot be negative."),
                         "negative_price", item=service_item.name)


def _replace_items(rows, items: ItemPrices, extra=lambda service_item: {}) -> None:
    """Make ``rows`` (a contract's or an agreement's items) exactly
    ``items``; ``extra(service_item)`` gives any other field of a row."""
    wanted = {service_item.pk: (service_item, price) for service_item, price in items}
    rows.exclude(service_item__in=wanted).delete()
    for service_item, price in wanted.values():
        rows.update_or_create(service_item=service_item,
                              defaults={"price": price, **extra(service_item)})


def _save_items(contract: Contract, items: ItemPrices) -> None:
    """Make the contract's items exactly ``items``, each with the guide price
    in force on the contract's first day."""
    _replace_items(contract.items, items, extra=lambda service_item: {
        "guide_price": service_item.guide_price_on(contract.starts_on)})


@transaction.atomic
def create_contract(*, reference: str, purchaser, provider, covered_area: Iterable,
                    signed_on: date, starts_on: date, ends_on: date, items: ItemPrices = (),
                    by=None) -> Contract:
    """Record a service contract (Art 14): at most ``contract.max_years``
    years, never with a provider barred on the day it is signed or on its
    first day (Art 25)."""
    covered_area = list(covered_area)
    items = list(items)
    _check_contract(purchaser=purchaser, provider=provider, covered_area=covered_area,
                    signed_on=signed_on, starts_on=starts_on, ends_on=ends_on, items=items)
    contract = Contract(reference=reference, purchaser=purchaser, provider=provider,
                        signed_on=signed_on, starts_on=starts_on, ends_on=ends_on,
                        created_by=by)
    contract.full_clean()
    contract.save()
    contract.covered_area.set(covered_area)
    _save_items(contract, items)
    return contract


@transaction.atomic
def update_contract(*, contract: Contract, reference: str, purchaser, provider,
                    covered_area: Iterable, signed_on: date, starts_on: date, ends_on: date,
                    items: ItemPrices, by=None) -> Contract:
    """Correct an active contract and its prices; the same rules as for a
    new one, the bar checked again only when the provider, the signing day
    or the start changes."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active:
        raise _error("status", _("Only an active contract can be changed."), "not_active")
    covered_area = list(covered_area)
    items = list(items)
    same_dates = (provider.pk == contract.provider_id and signed_on == contract.signed_on
                  and starts_on == contract.starts_on)
    _check_contract(purchaser=purchaser, provider=provider, covered_area=covered_area,
                    signed_on=signed_on, starts_on=starts_on, ends_on=ends_on, items=items,
                    check_bar=not same_dates)
    contract.reference, contract.purchaser, contract.provider = reference, purchaser, provider
    contract.signed_on, contract.starts_on, contract.ends_on = signed_on, starts_on, ends_on
    contract.full_clean()
    contract.save()
    contract.covered_area.set(covered_area)
    _save_items(contract, items)
    return contract


def _end(contract: Contract, on: date, reason: str) -> None:
    contract.status = ContractStatus.ENDED
    contract.ended_on = on
    contract.end_reason = reason
    contract.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])


@transaction.atomic
def end_contract(*, contract: Contract, on: date, reason: str, by=None) -> Contract:
    """End an active contract early on ``on`` (breach, consent, a stopped
    renewal). A tender bar is recorded only by ``end_contracts_and_bar``."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active:
        raise _error("status", _("The contract is no longer active."), "not_active")
    if not reason.strip():
        raise _error("end_reason", _("Give the reason for ending the contract."), "required")
    if not contract.starts_on <= on <= contract.ends_on:
        raise _error("ended_on",
                     _("The contract ends within its term, %(start)s to %(end)s."),
                     "outside_term", start=contract.starts_on.isoformat(),
                     end=contract.ends_on.isoformat())
    _end(contract, on, reason.strip())
    return contract


@transaction.atomic
def end_contracts_and_bar(*, provider, on: date, reason: str, by=None,
                          evaluation_reference: str = "",
                          purchaser_under=None) -> TenderBar:
    """End the active contracts of ``provider`` on ``on`` and bar it from
    tenders for ``evaluation.bar_years`` years from that day (Art 25: still
    unqualified after rectification).

    With ``purchaser_under`` (a region, e.g. the evaluating district) only
    the contracts bought by that region or a region below it end; without
    it, every active contract of the provider. The bar itself holds
    city-wide either way.

    A contract whose term ran out before ``on`` is marked expired rather
    than ended; one not yet started ends before it begins.
    """
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("Give the reason for the bar."), "required")
    contracts = Contract.objects.select_for_update().filter(
        provider=provider, status=ContractStatus.ACTIVE)
    if purchaser_under is not None:
        contracts = contracts.filter(purchaser__path__startswith=purchaser_under.path)
    for contract in contracts.order_by("pk"):
        if contract.ends_on < on:
            contract.status = ContractStatus.EXPIRED
            contract.save(update_fields=["status", "updated_at"])
        else:
            _end(contract, on, reason)
    bar_years = int(value_on("evaluation.bar_years", on, _district_of(provider.region)))
    bar = TenderBar(provider=provider, starts_on=on, lifts_on=rules.bar_lifts_on(on, bar_years),
                    reason=reason, evaluation_reference=evaluation_reference,
                    created_by=by)
    bar.full_clean()
    bar.save()
    return bar


@transaction.atomic
def expire_contracts(*, today: date) -> int:
    """Mark active contracts whose last day is before ``today`` expired."""
    return Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__lt=today).update(
        status=ContractStatus.EXPIRED)


# --- renewals ----------------------------------------------------------------


def grades_in_force(contract: Contract, day: date) -> dict[str, str | None]:
    """The evaluation grade in force on ``day`` for each service category of
    the contract's items (None where the provider has none)."""
    categories = sorted(set(contract.items.values_list("service_item__category", flat=True)))
    grades = {}
    for category in categories:
        grade = ProviderGrade.objects.in_force(provider=contract.provider, category=category,
                                               day=day)
        grades[category] = grade.grade if grade is not None else None
    return grades


@transaction.atomic
def record_renewal(*, contract: Contract, year: int, on: date, decision: str, note: str = "",
                   by=None) -> ContractRenewal:
    """Decide whether a contract continues into contract year ``year``
    (Art 22–25). Continuing needs a grade better than unqualified in force
    on ``on`` for every service category of the contract. Stopping cuts the
    term short: the contract runs to the end of the current contract year
    (the day before year ``year`` starts) and stays active until then, when
    ``expire_contracts`` ends it. A stop decided once year ``year`` has
    already begun leaves the contract running to ``on``."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active:
        raise _error("status", _("The contract is no longer active."), "not_active")
    if not contract.starts_on <= on <= contract.ends_on:
        raise _error("decided_on",
                     _("The decision is taken within the term, %(start)s to %(end)s."),
                     "outside_term", start=contract.starts_on.isoformat(),
                     end=contract.ends_on.isoformat())
    last_year = rules.term_years(contract.starts_on, contract.ends_on)
    if not 2 <= year <= last_year:
        raise _error("year", _("A renewal concerns contract year 2 to %(last)s."),
                     "year_outside_term", last=last_year)
    if on >= rules.year_starts_on(contract.starts_on, year + 1):
        raise _error("decided_on", _("Contract year %(year)s is already over."),
                     "year_over", year=year)
    if contract.renewals.filter(year=year).exists():
        raise _error("year", _("Contract year %(year)s is already decided."),
                     "already_decided", year=year)
    grades = grades_in_force(contract, on)
    if decision == RenewalDecision.CONTINUE:
        if not grades:
            raise _error("decision", _("The contract has no service items to evaluate."),
                         "no_items")
        blocks = rules.renewal_blocks(grades)
        if blocks:
            code = "unqualified" if any(b.grade for b in blocks) else "ungraded"
            raise _error(
                "decision",
                _("The contract cannot continue: %(categories)s (no grade, or unqualified, "
                  "on %(day)s)."), code,
                categories="、".join(
                    f"{category}: {grade}" for category, grade
                    in labelled_grades({b.category: b.grade for b in blocks})),
                day=on.isoformat())
    renewal = ContractRenewal(contract=contract, year=year, decided_on=on, decision=decision,
                              grades=grades, note=note, decided_by=by)
    renewal.full_clean()
    renewal.save()
    if decision == RenewalDecision.STOP:
        contract.ends_on = max(rules.last_day_before_year(contract.starts_on, year), on)
        contract.end_reason = str(_("Not renewed for contract year %(year)s. %(note)s")
                                  % {"year": year, "note": note}).strip()
        contract.save(update_fields=["ends_on", "end_reason", "updated_at"])
    return renewal


# --- three-party agreements ----------------------------------------------------


def covering_contracts(*, elder, service_items: Iterable, first: date, last: date):
    """Active contracts covering the elder's street (or community) for any
    of ``service_items`` at some time between ``first`` and ``last``."""
    return (Contract.objects.active_between(first, last)
            .covering(elder.residence_street, elder.community)
            .filter(items__service_item__in=list(service_items)))


def _is_subsidised(elder) -> bool:
    """Whether the elder is a subsidised elder (资助对象, Art 31): a current
    entitlement of a subsidised class, not services at the elder's own cost."""
    from apps.subsidies.models import Entitlement

    return Entitlement.objects.subsidised().filter(elder=elder).exists()


def _check_subsidised(elder) -> None:
    if not _is_subsidised(elder):
        raise _error("elder",
                     _("%(elder)s holds no current subsidy: a three-party agreement is for "
                       "subsidised elders (Art 31)."), "not_subsidised", elder=elder.name)


def _check_district_approval(approved_on: date | None, reference: str) -> None:
    """The district home-care guidance centre has verified and consented
    (Art 31: 经区居家养老服务指导中心核实同意), on a day already past."""
    errors = {}
    if approved_on is None:
        errors["district_approved_on"] = ValidationError(
            _("Give the day the district centre verified and consented (Art 31)."),
            code="required")
    elif approved_on > timezone.localdate():
        errors["district_approved_on"] = ValidationError(
            _("The district centre's approval cannot be dated in the future."), code="future")
    if not reference:
        errors["district_approval_reference"] = ValidationError(
            _("Give the reference of the district centre's consent (Art 31)."),
            code="required")
    if errors:
        raise ValidationError(errors)


def _check_agreement(*, elder, street, starts_on: date, ends_on: date,
                     items: ItemPrices) -> None:
    if street.kind != RegionKind.STREET:
        raise _error("street", _("The third party is a street office."), "not_a_street")
    if elder.residence_street_id != street.pk:
        raise _error("street",
                     _("The street office is the one of the elder's residence, "
                       "%(street)s."), "not_elder_street",
                     street=elder.residence_street.name)
    if ends_on < starts_on:
        raise _error("ends_on", _("The agreement ends before it starts."),
                     "ends_before_start")
    if not items:
        raise _error("items", _("List at least one service and its price."), "required")
    _check_items(items)
    covering = covering_contracts(elder=elder, service_items=[i for i, _p in items],
                                  first=starts_on, last=ends_on).select_related("provider")
    contract = covering.first()
    if contract is not None:
        raise _error("items",
                     _("%(provider)s covers this elder's area under contract %(contract)s: "
                       "a three-party agreement is only for areas no provider covers "
                       "(Art 31)."), "covered_by_contract",
                     provider=contract.provider.name, contract=contract.reference)


@transaction.atomic
def create_carer_agreement(*, elder, carer_name: str, relationship: str, carer_phone: str,
                           street, signed_on: date, starts_on: date, ends_on: date,
                           items: ItemPrices, district_approved_on: date | None = None,
                           district_approval_reference: str = "",
                           by=None) -> CarerAgreement:
    """Record a three-party agreement (Art 31) between the street office,
    the elder and a relative or neighbour, for services no contracted
    provider offers in the elder's area: only for a subsidised elder, and
    once the district home-care guidance centre has verified and consented
    (``district_approved_on``, ``district_approval_reference``)."""
    items = list(items)
    district_approval_reference = (district_approval_reference or "").strip()
    _check_subsidised(elder)
    _check_district_approval(district_approved_on, district_approval_reference)
    _check_agreement(elder=elder, street=street, starts_on=starts_on, ends_on=ends_on,
                     items=items)
    agreement = CarerAgreement(elder=elder, carer_name=carer_name, relationship=relationship,
                               carer_phone=carer_phone, street=street, signed_on=signed_on,
                               starts_on=starts_on, ends_on=ends_on,
                               district_approved_on=district_approved_on,
                               district_approval_reference=district_approval_reference,
                               created_by=by)
    agreement.full_clean()
    agreement.save()
    _replace_items(agreement.items, items)
    return agreement


@transaction.atomic
def update_carer_agreement(*, agreement: CarerAgreement, carer_name: str, relationship: str,
                           carer_phone: str, signed_on: date, starts_on: date, ends_on: date,
                           items: ItemPrices, district_approved_on: date | None = None,
                           district_approval_reference: str = "",
                           by=None) -> CarerAgreement:
    """Correct an agreement's carer, term, services or the district
    centre's approval; the same rules. The elder must still be subsidised
    where the term grows; shortening it (the subsidy ended) is always
    allowed."""
    agreement = CarerAgreement.objects.select_for_update().get(pk=agreement.pk)
    items = list(items)
    district_approval_reference = (district_approval_reference or "").strip()
    if starts_on < agreement.starts_on or ends_on > agreement.ends_on:
        _check_subsidised(agreement.elder)
    _check_district_approval(district_approved_on, district_approval_reference)
    _check_agreement(elder=agreement.elder, street=agreement.street, starts_on=starts_on,
                     ends_on=ends_on, items=items)
    agreement.carer_name, agreement.relationship = carer_name, relationship
    agreement.carer_phone, agreement.signed_on = carer_phone, signed_on
    agreement.starts_on, agreement.ends_on = starts_on, ends_on
    agreement.district_approved_on = district_approved_on
    agreement.district_approval_reference = district_approval_reference
    agreement.full_clean()
    agreement.save()
    _replace_items(agreement.items, items)
    return agreement


