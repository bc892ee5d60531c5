"""What a finding says, in the reader's language, from its rule and its
evidence (no database).

The audit stores the facts of a finding as plain JSON (``evidence``): the
visit, the dates, times, distances and counts the rule compared, the other
visits involved. ``describe`` renders the one-line summary from them when
the page is shown, so a finding reads in the language of whoever reads it;
``evidence_rows`` and ``related_visits`` lay the facts out for the finding's
page. The ``summary`` column keeps a copy in the site's language for the
admin's search and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.catalogue.models import ServiceUnit
from apps.elders.models import LifeStatus
from apps.subsidies.models import EndReason, EntitlementStatus
from apps.visits.models import CheckMethod

# --- the summary ------------------------------------------------------------


def _visit(evidence: dict) -> dict:
    return {"item": evidence["service_item"], "date": evidence["service_date"],
            "provider": evidence["provider"]}


def _after_death(e: dict) -> str:
    return _("%(item)s on %(date)s by %(provider)s: the elder had died on %(since)s.") % {
        **_visit(e), "since": e["died_on"]}


def _after_termination(e: dict) -> str:
    if e.get("entitlement_status") == EntitlementStatus.CANCELLED:
        return _("%(item)s on %(date)s by %(provider)s: the elder's entitlement had been "
                 "cancelled.") % _visit(e)
    return _("%(item)s on %(date)s by %(provider)s: the elder's entitlement had ended on "
             "%(until)s.") % {**_visit(e), "until": e["entitlement_until"]}


def _after_moving_away(e: dict) -> str:
    return _("%(item)s on %(date)s by %(provider)s: the elder had moved away on "
             "%(since)s.") % {**_visit(e), "since": e["status_since"]}


def _in_hospital_or_institution(e: dict) -> str:
    if e["life_status"] == LifeStatus.IN_HOSPITAL:
        message = _("%(item)s on %(date)s by %(provider)s: the elder was in hospital from "
                    "%(since)s.")
    else:
        message = _("%(item)s on %(date)s by %(provider)s: the elder was in a care "
                    "institution from %(since)s.")
    return message % {**_visit(e), "since": e["status_since"]}


def _caregiver_overlap(e: dict) -> str:
    others = len(e["other_visits"])
    return ngettext(
        "%(item)s on %(date)s by %(provider)s: the caregiver %(caregiver)s was at another "
        "visit at the same time.",
        "%(item)s on %(date)s by %(provider)s: the caregiver %(caregiver)s was at %(count)s "
        "other visits at the same time.", others) % {
        **_visit(e), "caregiver": e.get("caregiver", ""), "count": others}


def _shorter_than_billed(e: dict) -> str:
    if e.get("days_billed") is not None:
        return _("%(item)s on %(date)s by %(provider)s: %(days)s days billed for a stay over "
                 "%(spanned)s calendar days.") % {
            **_visit(e), "days": e["days_billed"], "spanned": e["days_spanned"]}
    if e.get("billed_minutes") is not None:
        return _("%(item)s on %(date)s by %(provider)s: %(billed)s minutes billed, "
                 "%(minutes)s minutes between check-in and check-out.") % {
            **_visit(e), "billed": e["billed_minutes"], "minutes": e["minutes"]}
    return _("%(item)s on %(date)s by %(provider)s: %(minutes)s minutes, less than the "
             "item's %(least)s.") % {
        **_visit(e), "minutes": e["minutes"], "least": e["min_duration_minutes"]}


def _far_from_address(e: dict) -> str:
    if e.get("distance_m") is None:
        return _("%(item)s on %(date)s by %(provider)s was flagged far from the registered "
                 "address.") % _visit(e)
    return _("%(item)s on %(date)s by %(provider)s was checked in %(distance)s m from the "
             "registered address (tolerance %(tolerance)s m).") % {
        **_visit(e), "distance": e["distance_m"], "tolerance": e["tolerance_m"]}


def _photo_reused(e: dict) -> str:
    others = len(e["other_visits"])
    return ngettext(
        "%(item)s on %(date)s by %(provider)s: the photo is also that of another visit.",
        "%(item)s on %(date)s by %(provider)s: the photo is also that of %(count)s other "
        "visits.", others) % {**_visit(e), "count": others}


def _beyond_plan(e: dict) -> str:
    if e.get("plan_times") is None:
        return _("%(item)s on %(date)s by %(provider)s: no plan in force covers it.") % (
            _visit(e))
    return _("%(item)s on %(date)s by %(provider)s: visit %(visits)s of the month where the "
             "plan has %(times)s.") % {
        **_visit(e), "visits": e["item_visits"], "times": e["plan_times"]}


def _barred_or_no_contract(e: dict) -> str:
    if e.get("barred"):
        return _("%(item)s on %(date)s by %(provider)s: the provider was barred from "
                 "%(since)s.") % {**_visit(e), "since": e["barred"][0]["starts_on"]}
    return _("%(item)s on %(date)s by %(provider)s: no contract of the provider covered the "
             "elder's area that day.") % _visit(e)


def _followup_not_received(e: dict) -> str:
    # the words the follow-up call itself raises the finding with
    return _("Follow-up call: %(item)s of %(date)s by %(provider)s was not received.") % (
        _visit(e))


def _volume_above_median(e: dict) -> str:
    return _("%(provider)s: %(visits)s visits in %(month)s, more than %(factor)s times its "
             "median of %(median)s over the three months before.") % {
        "provider": e["provider"], "visits": e["visits"], "month": e["month"],
        "factor": e["factor"], "median": e["median"]}


def _caseload_above_ratio(e: dict) -> str:
    return _("Care manager %(name)s (%(street)s) looked after %(caseload)s elders on %(on)s; "
             "at most %(ratio)s.") % {
        "name": e["care_manager"], "street": e["street"], "caseload": e["caseload"],
        "on": e["on"], "ratio": e["ratio"]}


def _nurse_ratio_below(e: dict) -> str:
    return _("%(provider)s: %(clients)s rehabilitation-nursing clients on %(on)s need "
             "%(needed)s qualified nursing staff (1 : %(ratio)s); %(staff)s on the "
             "roster.") % {
        "provider": e["provider"], "clients": e["clients"], "on": e["on"],
        "needed": e["needed"], "ratio": e["ratio"], "staff": e["nursing_staff"]}


DESCRIBE: dict[str, Callable[[dict], str]] = {
    "after_death": _after_death,
    "after_termination": _after_termination,
    "after_moving_away": _after_moving_away,
    "in_hospital_or_institution": _in_hospital_or_institution,
    "caregiver_overlap": _caregiver_overlap,
    "shorter_than_billed": _shorter_than_billed,
    "far_from_address": _far_from_address,
    "photo_reused": _photo_reused,
    "beyond_plan": _beyond_plan,
    "barred_or_no_contract": _barred_or_no_contract,
    "followup_not_received": _followup_not_received,
    "volume_above_median": _volume_above_median,
    "caseload_above_ratio": _caseload_above_ratio,
    "nurse_ratio_below": _nurse_ratio_below,
}


def describe(rule: str, evidence: dict) -> str | None:
    """The one-line summary of a finding of ``rule`` from its evidence, in
    the active language; None when the evidence lacks what it needs (a
    follow-up finding raised before the provider was kept in it)."""
    render = DESCRIBE.get(rule)
    if render is None:
        return None
    try:
        return render(evidence)
    except (KeyError, IndexError, TypeError):
        return None


# --- the evidence, laid out -------------------------------------------------

# The keys a page shows, in order, with their labels; anything else follows
# under its own key.
EVIDENCE_LABELS = {
    "visit_id": gettext_lazy("Visit record"),
    "provider_visit_id": gettext_lazy("Provider's visit id"),
    "version": gettext_lazy("Version"),
    "provider": gettext_lazy("Service provider"),
    "service_date": gettext_lazy("Service date"),
    "service_item": gettext_lazy("Service item"),
    "caregiver": gettext_lazy("Caregiver"),
    "check_in_at": gettext_lazy("Checked in at"),
    "check_in_method": gettext_lazy("Check-in method"),
    "check_out_at": gettext_lazy("Checked out at"),
    "check_out_method": gettext_lazy("Check-out method"),
    "minutes": gettext_lazy("Minutes between check-in and check-out"),
    "units": gettext_lazy("Units billed"),
    "unit": gettext_lazy("Unit"),
    "amount": gettext_lazy("Amount of the visit"),
    "called_at": gettext_lazy("Called at"),
    "called_by": gettext_lazy("Called by"),
    "note": gettext_lazy("Note of the call"),
    # the elder and the entitlement
    "died_on": gettext_lazy("Died on"),
    "life_status": gettext_lazy("Life status"),
    "status_since": gettext_lazy("Status since"),
    "status_until": gettext_lazy("Status until (exclusive)"),
    "entitlement_from": gettext_lazy("Last entitlement from"),
    "entitlement_until": gettext_lazy("Last entitlement until"),
    "entitlement_status": gettext_lazy("Status of the entitlement"),
    "end_reason": gettext_lazy("End reason"),
    # times, places, photos, plans, contracts
    "billed_minutes": gettext_lazy("Minutes billed"),
    "min_duration_minutes": gettext_lazy("Item's minimum duration (minutes)"),
    "tolerance_minutes": gettext_lazy("Tolerance (minutes)"),
    "days_billed": gettext_lazy("Days billed"),
    "days_spanned": gettext_lazy("Calendar days of the stay"),
    "distance_m": gettext_lazy("Distance from the registered address (m)"),
    "tolerance_m": gettext_lazy("Tolerance (m)"),
    "flagged_at_intake": gettext_lazy("Flagged when the visit was accepted"),
    "photo_sha256": gettext_lazy("Photo checksum"),
    "plan_times": gettext_lazy("Times a month in the plan"),
    "item_visits": gettext_lazy("This visit's number in the month"),
    "covered": gettext_lazy("Covered by the plan"),
    "cost": gettext_lazy("Cost"),
    "barred": gettext_lazy("Tender bar"),
    "no_contract": gettext_lazy("No contract covering the elder's area"),
    "last_contract": gettext_lazy("Last contract for the area"),
    "last_contract_until": gettext_lazy("Last contract in force until"),
    # aggregate rules
    "month": gettext_lazy("Month"),
    "visits": gettext_lazy("Visits"),
    "history": gettext_lazy("Visits in the months before"),
    "median": gettext_lazy("Median of the three months before"),
    "factor": gettext_lazy("Factor"),
    "threshold": gettext_lazy("Threshold"),
    "care_manager": gettext_lazy("Care manager"),
    "street": gettext_lazy("Street"),
    "caseload": gettext_lazy("Elders assigned"),
    "clients": gettext_lazy("Rehabilitation-nursing clients"),
    "nursing_staff": gettext_lazy("Qualified nursing staff"),
    "needed": gettext_lazy("Qualified nursing staff needed"),
    "ratio": gettext_lazy("Ratio (at most, per person)"),
    "on": gettext_lazy("On"),
    # the amount at stake
    "at_stake_from": gettext_lazy("Amount at stake taken from"),
    "subsidy": gettext_lazy("Subsidy paid in the settlement"),
    "bonus": gettext_lazy("Performance subsidy paid in the settlement"),
}
# Shown apart (as a table of visits, or as links), not as rows.
NOT_ROWS = {"other_visits", "settlement_run_id", "first_visit_id"}

CHOICES = {
    "check_in_method": dict(CheckMethod.choices),
    "check_out_method": dict(CheckMethod.choices),
    "life_status": dict(LifeStatus.choices),
    "end_reason": dict(EndReason.choices),
    "entitlement_status": dict(EntitlementStatus.choices),
    "unit": dict(ServiceUnit.choices),
}
STAKE_SOURCES = {
    "settlement": gettext_lazy("the settlement line of the visit's month "
                               "(subsidy + performance subsidy)"),
    "visit": gettext_lazy("the visit's amount (not settled yet)"),
}


def moment(value: str | None) -> str:
    """An ISO date-time as local "YYYY-MM-DD HH:MM"; anything else as given."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed.strftime("%Y-%m-%d %H:%M")


def _money(value) -> str:
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _bars(value) -> str:
    return "; ".join(_("%(from)s until %(lifts)s (exclusive): %(reason)s") % {
        "from": bar.get("starts_on"), "lifts": bar.get("lifts_on"),
        "reason": bar.get("reason", "")} for bar in value)


def _history(value) -> str:
    return ", ".join(f"{row['month']}: {row['visits']}" for row in value)


def shown(key: str, value) -> object:
    """``value`` of evidence ``key`` as a reader wants it."""
    if value is None or value == "":
        return None
    if key in CHOICES:
        return CHOICES[key].get(value, value)
    if key.endswith("_at"):
        return moment(value)
    if key in ("amount", "subsidy", "bonus", "covered", "cost"):
        return _money(value)
    if key == "at_stake_from":
        return STAKE_SOURCES.get(value, value)
    if key == "barred":
        return _bars(value)
    if key == "history":
        return _history(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, dict)):
        return str(value)
    return value


def evidence_rows(evidence: dict) -> list[tuple[str, object]]:
    """(label, value) pairs: the known keys in order, then any others."""
    rows = [(label, shown(key, evidence[key])) for key, label in EVIDENCE_LABELS.items()
            if key in evidence]
    rows += [(key, shown(key, value)) for key, value in evidence.items()
             if key not in EVIDENCE_LABELS and key not in NOT_ROWS]
    return rows


# What a reader outside the other visit's scope still sees of it: that it
# exists, and when (the overlap or the reuse is the evidence).
_OPEN_FIELDS = ("visit_id", "service_date", "check_in_at", "check_out_at")


def related_visits(evidence: dict, visible_ids=None) -> list[dict]:
    """The other visits a finding names (the same caregiver at the same time,
    the same photo), with their times in local time. A visit not in
    ``visible_ids`` (another district's or provider's) shows only its date
    and times, marked ``hidden``."""
    rows = []
    for visit in evidence.get("other_visits") or ():
        hidden = visible_ids is not None and visit.get("visit_id") not in visible_ids
        shown = {k: visit.get(k) for k in _OPEN_FIELDS} if hidden else dict(visit)
        rows.append({**shown, "hidden": hidden,
                     "check_in_at": moment(visit.get("check_in_at")),
                     "check_out_at": moment(visit.get("check_out_at"))})
    return rows


def iso_day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_moment(value: datetime | None) -> str | None:
    """A stored moment as local ISO time (how the evidence keeps times)."""
    return timezone.localtime(value).isoformat() if value else None
