"""The checks of a batch of visit rows, set-based (DOMAIN.md §3, §5; Art 16,
24, 29, 32).

``check_rows`` reads everything the rows need in a fixed number of queries
(elders, entitlements, agreements with their items, service items,
caregivers, contract areas, tender bars, plans, the stored visits that may
overlap, the month's visit counts, the GPS tolerance), then checks each row
with the pure functions of ``apps.visits.rules``. Rows are checked in order:
a row accepted earlier in the batch counts for the overlaps and plan
frequency of the rows after it, and a correction's old version no longer
counts once the correction is accepted.

Every reason is reported with the field it concerns; a row that names an
elder the provider has never had an agreement with reads as unknown, so the
answer never tells whether an identity number is registered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.careplans.rules import service_area_ids
from apps.visits import rules
from apps.visits.intake import pg_array
from apps.visits.reasons import Flag, Reason

GPS_TOLERANCE = "visit.gps_tolerance"
REQUIRED = ("provider_visit_id", "service_item", "caregiver", "check_in_at", "check_out_at",
            "check_in_method", "check_out_method")


@dataclass
class Candidate:
    input: object  # intake.VisitInput
    digests: tuple[str, ...] = ()
    replaces: dict | None = None  # the current stored visit of the id (a correction)
    duplicate: bool = False


@dataclass
class Checked:
    reasons: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    elder_id: int | None = None
    agreement_id: int | None = None
    caregiver_id: int | None = None
    service_item_id: int | None = None
    service_date: date | None = None
    units: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    distance_m: int | None = None

    @property
    def accepted(self) -> bool:
        return not self.reasons

    def refuse(self, code: str, field_name: str, message: str = "") -> None:
        if any(r["code"] == code and r["field"] == field_name for r in self.reasons):
            return
        self.reasons.append({"code": str(code), "field": field_name,
                             "message": message or str(Reason(code).label)})


def _label(code) -> str:
    return str(Reason(code).label)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# The elders a batch names, each with its entitlements, its agreements with
# the provider (and their items) and its plans (and their lines for the
# provider or for none), as JSON arrays: one round trip, each correlated
# subquery an index lookup by elder.
ELDERS_SQL = """
SELECT e.id, e.id_number_digest, e.hukou_street_id, e.residence_street_id, r.parent_id,
    e.community_id, e.life_status, e.life_status_since, e.home_location,
    (SELECT json_agg(json_build_array(s.valid_from, s.valid_until, s.status = 'cancelled',
                                      s.end_reason))
     FROM subsidies_entitlement s WHERE s.elder_id = e.id),
    (SELECT json_agg(json_build_array(a.id, a.starts_on, a.ends_on, a.ended_on,
                                      i.service_item_id, i.unit_price::text))
     FROM careplans_serviceagreement a
     LEFT JOIN careplans_agreementitem i ON i.agreement_id = a.id
     WHERE a.elder_id = e.id AND a.provider_id = %(provider)s),
    (SELECT json_agg(json_build_array(p.id, p.starts_on, p.ends_on, i.service_item_id,
                                      i.times_per_month))
     FROM careplans_serviceplan p
     LEFT JOIN careplans_serviceplanitem i ON i.plan_id = p.id
         AND (i.provider_id IS NULL OR i.provider_id = %(provider)s)
     WHERE p.elder_id = e.id)
FROM elders_elder e JOIN regions_region r ON r.id = e.residence_street_id
WHERE {where}
"""
BY_DIGEST = "e.id_number_digest = ANY(%(digests)s::varchar[])"
BY_PK = "e.id = ANY(%(pks)s::bigint[])"


class _World:
    """What the batch's rows need, read once (one query per kind of row)."""

    def __init__(self, provider, candidates: list[Candidate]):
        from apps.catalogue.models import ServiceItem
        from apps.contracts.models import Contract, TenderBar
        from apps.policy.models import PolicyValue
        from apps.providers.models import StaffMember

        rows = [c.input for c in candidates]
        digests = sorted({d for c in candidates for d in c.digests})
        elder_pks = sorted({r.elder_pk for r in rows if r.elder_pk})
        self.elders_by_digest: dict[str, dict] = {}
        self.elders: dict[int, dict] = {}
        self.entitlements: dict[int, list[rules.EntitlementPeriod]] = defaultdict(list)
        self.agreements: dict[int, dict[int, dict]] = defaultdict(dict)
        self.plans: dict[int, dict[int, dict]] = defaultdict(dict)
        if digests or elder_pks:
            self._read_elders(provider, digests, elder_pks)
        codes = {r.service_item for r in rows if r.service_item}
        self.items = ({i["code"]: i for i in ServiceItem.objects.filter(
            code__in=codes).order_by().values("pk", "code", "unit", "min_duration_minutes")}
            if codes else {})
        staff_ids = {int(r.caregiver) for r in rows if r.caregiver.isdigit()
                     and len(r.caregiver) < 10}
        self.caregivers = (set(StaffMember.objects.filter(
            provider=provider, active=True, pk__in=staff_ids).order_by().values_list(
            "pk", flat=True))
            if staff_ids else set())

        # Contract areas and bars of the provider: few rows, read whole.
        self.coverage: dict[int, list[tuple[date, date, date | None]]] = defaultdict(list)
        self.bars: list[tuple[date, date]] = []
        if self.elders:
            for c in Contract.covered_area.through.objects.filter(
                    contract__provider=provider).values(
                    "region_id", "contract__starts_on", "contract__ends_on",
                    "contract__ended_on"):
                self.coverage[c["region_id"]].append(
                    (c["contract__starts_on"], c["contract__ends_on"], c["contract__ended_on"]))
            self.bars = list(TenderBar.objects.filter(provider=provider).order_by().values_list(
                "starts_on", "lifts_on"))

        self.tolerances: list[tuple[int | None, date, Decimal]] = []
        if any(r.latitude is not None for r in rows):
            self.tolerances = list(PolicyValue.objects.filter(
                key=GPS_TOLERANCE).order_by().values_list("region_id", "valid_from", "value"))

    def _read_elders(self, provider, digests: list[str], elder_pks: list[int]) -> None:
        """The named elders with their entitlements, their agreements with
        this provider (with the agreed prices) and their plans (with the
        lines for this provider or for none): one query, each elder's rows
        found through the elder's own indexes. An elder with no agreement
        with the provider, ever, stays unknown."""
        from apps.elders.models import Elder

        home = Elder._meta.get_field("home_location")
        with connection.cursor() as cursor:
            # one condition at a time, so each uses its own index
            where = " OR ".join(condition for condition, given in (
                (BY_DIGEST, digests), (BY_PK, elder_pks)) if given)
            cursor.execute(ELDERS_SQL.format(where=where), {
                "digests": pg_array(digests), "pks": pg_array(elder_pks),
                "provider": provider.pk})
            found = cursor.fetchall()
        for (pk, digest, hukou, street, district, community, status, since, location,
             entitlements, agreements, plans) in found:
            if not agreements:
                continue
            elder = {"pk": pk, "id_number_digest": digest, "hukou_street_id": hukou,
                     "residence_street_id": street, "residence_street__parent_id": district,
                     "community_id": community, "life_status": status,
                     "life_status_since": since,
                     "home_location": home.from_db_value(location, None, connection)}
            self.elders[pk] = elder
            self.elders_by_digest[digest] = elder
            for valid_from, valid_until, cancelled, end_reason in entitlements or ():
                self.entitlements[pk].append(rules.EntitlementPeriod(
                    _day(valid_from), _day(valid_until), cancelled, end_reason))
            for agreement_pk, starts_on, ends_on, ended_on, item_id, price in agreements:
                agreement = self.agreements[pk].setdefault(agreement_pk, {
                    "pk": agreement_pk, "starts_on": _day(starts_on), "ends_on": _day(ends_on),
                    "ended_on": _day(ended_on), "prices": {}})
                if item_id is not None:
                    agreement["prices"][item_id] = Decimal(price)
            for plan_pk, starts_on, ends_on, item_id, times in plans or ():
                plan = self.plans[pk].setdefault(plan_pk, {
                    "starts_on": _day(starts_on), "ends_on": _day(ends_on),
                    "times": defaultdict(int)})
                if item_id is not None:
                    plan["times"][item_id] += times

    def tolerance(self, day: date, district_id: int | None) -> Decimal | None:
        """The GPS tolerance in force on ``day``: the district's latest
        version wins over the city-wide one (as ``policy.lookup.value_on``)."""
        best: dict[bool, tuple[date, Decimal]] = {}
        for region_id, valid_from, value in self.tolerances:
            if valid_from > day or region_id not in (None, district_id):
                continue
            own = region_id is not None
            if own not in best or valid_from > best[own][0]:
                best[own] = (valid_from, value)
        chosen = best.get(True) or best.get(False)
        return chosen[1] if chosen else None

    def elder_for(self, row, digests) -> dict | None:
        if row.elder_pk:
            return self.elders.get(row.elder_pk)
        for digest in digests:
            if digest in self.elders_by_digest:
                return self.elders_by_digest[digest]
        return None


# One index range scan per row (LATERAL ... OFFSET 0: a nested loop whatever
# the planner estimates): the caregiver's visits by (caregiver, check-in), the
# elder's by (elder, service date), current versions only; each with the
# unit of its item (whether it needs the elder at home).
OVERLAP_SQL = """
SELECT v.id, v.caregiver_id, v.elder_id, v.check_in_at, v.check_out_at,
    (SELECT i.unit FROM {items} i WHERE i.id = v.service_item_id)
FROM unnest(%(cg)s::integer[], %(cg_lo)s::timestamptz[], %(cg_hi)s::timestamptz[])
     AS r(who, lo, hi)
CROSS JOIN LATERAL (
    SELECT id, caregiver_id, elder_id, check_in_at, check_out_at, service_item_id FROM {table}
    WHERE caregiver_id = r.who AND is_current AND check_in_at >= r.lo - %(caregiver_longest)s
      AND check_in_at < r.hi AND check_out_at > r.lo OFFSET 0) v
UNION
SELECT v.id, v.caregiver_id, v.elder_id, v.check_in_at, v.check_out_at,
    (SELECT i.unit FROM {items} i WHERE i.id = v.service_item_id)
FROM unnest(%(el)s::integer[], %(el_d0)s::date[], %(el_d1)s::date[],
            %(el_lo)s::timestamptz[], %(el_hi)s::timestamptz[]) AS r(who, d0, d1, lo, hi)
CROSS JOIN LATERAL (
    SELECT id, caregiver_id, elder_id, check_in_at, check_out_at, service_item_id FROM {table}
    WHERE elder_id = r.who AND is_current AND service_date >= r.d0
      AND service_date <= r.d1 AND check_in_at < r.hi AND check_out_at > r.lo OFFSET 0) v
"""


def _stored_visits(provider, checks: list[tuple[Candidate, Checked]], exclusive: set[int]):
    """Current stored visits that overlap a row (same caregiver, or same
    elder with any provider when the row's item needs the elder at home:
    ``exclusive`` holds their indexes in ``checks``), and this provider's
    visit counts per elder, item and month: 2 queries. The overlap query
    joins the rows' own intervals (arrays, one element per row) to the
    visits' indexes."""
    from apps.catalogue.models import ServiceItem
    from apps.visits.models import ServiceVisit

    params: dict[str, list] = {name: [] for name in (
        "cg", "cg_lo", "cg_hi", "el", "el_d0", "el_d1", "el_lo", "el_hi")}
    months: set[date] = set()
    pairs_elders, pairs_items = set(), set()
    for index, (candidate, check) in enumerate(checks):
        row = candidate.input
        low, high = row.check_in_at, row.check_out_at
        if check.caregiver_id:
            params["cg"].append(check.caregiver_id)
            params["cg_lo"].append(low)
            params["cg_hi"].append(high)
        if check.elder_id and index in exclusive:
            params["el"].append(check.elder_id)
            params["el_d0"].append(local_date(low - rules.LONGEST_VISIT))
            params["el_d1"].append(local_date(high))
            params["el_lo"].append(low)
            params["el_hi"].append(high)
        if check.elder_id and check.service_item_id and check.service_date:
            months.add(rules.month_start(check.service_date))
            pairs_elders.add(check.elder_id)
            pairs_items.add(check.service_item_id)
    stored = []
    if params["cg"] or params["el"]:
        with connection.cursor() as cursor:
            cursor.execute(OVERLAP_SQL.format(table=ServiceVisit._meta.db_table,
                                              items=ServiceItem._meta.db_table), {
                **{name: pg_array(values) for name, values in params.items()},
                "caregiver_longest": rules.LONGEST_CAREGIVER_VISIT})
            stored = cursor.fetchall()
    counts: dict[tuple[int, int, date], int] = defaultdict(int)
    if months:
        for c in ServiceVisit.objects.filter(
                provider=provider, is_current=True, elder_id__in=pairs_elders,
                service_item_id__in=pairs_items, service_date__gte=min(months),
                service_date__lte=rules.month_end(max(months))).annotate(
                month=TruncMonth("service_date")).values(
                "elder_id", "service_item_id", "month").annotate(n=Count("pk")).order_by():
            month = c["month"].date() if isinstance(c["month"], datetime) else c["month"]
            counts[(c["elder_id"], c["service_item_id"], month)] = c["n"]
    return stored, counts


def check_rows(provider, candidates: list[Candidate], *, now: datetime) -> list[Checked]:
    """Check every candidate row; one ``Checked`` per row, in order."""
    if not candidates:
        return []
    world = _World(provider, candidates)
    checks = [(c, _check_alone(world, provider, c, now)) for c in candidates]
    _check_together(world, provider, checks)
    return [check for _c, check in checks]


def _check_alone(world: _World, provider, candidate: Candidate, now: datetime) -> Checked:
    """Everything a row can be told without the other rows."""
    row, check = candidate.input, Checked()
    if candidate.duplicate:
        check.refuse(Reason.DUPLICATE_IN_BATCH, "provider_visit_id")
        return check
    for name, message in row.parse_errors.items():
        check.refuse(Reason.INVALID, name, message)
    for name in REQUIRED:
        if not getattr(row, name) and name not in row.parse_errors:
            check.refuse(Reason.INVALID, name, _("This field is required."))
    elder_field = "elder" if row.elder_pk and not row.elder_id_number else "elder_id_number"
    if not row.elder_pk and not row.elder_id_number and elder_field not in row.parse_errors:
        check.refuse(Reason.INVALID, elder_field, _("This field is required."))
    if row.units is not None and rules.units_problem(row.units):
        check.refuse(Reason.INVALID, "units", _("Give a positive number with at most two "
                                                "decimals."))
    if candidate.replaces is not None and not row.correction_reason.strip():
        check.refuse(Reason.CORRECTION_REASON_REQUIRED, "correction_reason")

    # Who and what.
    elder = world.elder_for(row, candidate.digests) if (row.elder_pk or candidate.digests) \
        else None
    if elder is None and (row.elder_pk or row.elder_id_number):
        check.refuse(Reason.ELDER_UNKNOWN, elder_field)
    item = world.items.get(row.service_item) if row.service_item else None
    if item is None and row.service_item:
        check.refuse(Reason.ITEM_UNKNOWN, "service_item")
    caregiver_id = int(row.caregiver) if row.caregiver.isdigit() else None
    if caregiver_id is not None and caregiver_id not in world.caregivers:
        check.refuse(Reason.CAREGIVER_UNKNOWN, "caregiver")
        caregiver_id = None
    check.elder_id = elder["pk"] if elder else None
    check.service_item_id = item["pk"] if item else None
    check.caregiver_id = caregiver_id

    # Times (Art 24: the item's minimum duration).
    check_in, check_out = row.check_in_at, row.check_out_at
    if check_in is not None and check_out is not None:
        for code, name in rules.time_problems(
                check_in, check_out, now, item["min_duration_minutes"] if item else None):
            message = ""
            if code == Reason.BELOW_MIN_DURATION:
                message = _("%(label)s: at least %(minutes)s minutes.") % {
                    "label": _label(code), "minutes": item["min_duration_minutes"]}
            check.refuse(code, name, message)
    if check_in is not None:
        check.service_date = local_date(check_in)
    if (item is not None and row.units is not None and not rules.units_problem(row.units)
            and check_in is not None and check_out is not None and check_out > check_in):
        _check_units(check, item, row.units, check_in, check_out)

    # How the visit was confirmed (Art 16).
    local_hukou = (elder["hukou_street_id"] is not None) if elder else None
    for side in ("check_in", "check_out"):
        method = getattr(row, f"{side}_method")
        for code, name in rules.method_problems(
                method, getattr(row, f"{side}_reason"), local_hukou=local_hukou,
                method_field=f"{side}_method", reason_field=f"{side}_reason"):
            check.refuse(code, name)

    day = check.service_date
    if elder is not None and day is not None:
        _check_elder_on(world, check, elder, day, elder_field)
        _check_agreement_on(world, check, elder, item, day, elder_field)
        _check_provider_on(world, check, elder, day)
    if check.accepted:
        _price(world, check, row, elder, item)
        if local_hukou and rules.MANUAL in (row.check_in_method, row.check_out_method):
            check.flags.append(Flag.MANUAL_FOR_LOCAL)  # Art 16 expects the card
    return check


def _check_units(check, item, units, check_in, check_out) -> None:
    """Given units fit the visit: an hourly item at most the duration
    rounded up to the half hour, a per-visit item exactly 1, a per-day item
    at most the calendar days spanned; meals and months as given."""
    code = rules.units_over_problem(item["unit"], units, check_in, check_out, local_date)
    if code == Reason.UNITS_EXCEED_DURATION:
        most = rules.max_units(item["unit"], check_in, check_out, local_date)
        check.refuse(code, "units", _("%(label)s: at most %(units)s.") % {
            "label": _label(code), "units": f"{most.normalize():f}"})
    elif code == Reason.INVALID:
        check.refuse(code, "units", _("A per-visit item counts 1."))


def _check_elder_on(world, check, elder, day, elder_field) -> None:
    """Art 32: alive, not moved away, an entitlement in force on the day."""
    status = rules.life_status_problem(elder["life_status"], elder["life_status_since"], day)
    if status:
        check.refuse(status, elder_field)
    entitled = rules.entitlement_problem(world.entitlements.get(elder["pk"], []), day)
    if entitled and entitled != status:
        check.refuse(entitled, elder_field)


def _check_agreement_on(world, check, elder, item, day, elder_field) -> None:
    """Art 16, 29: an agreement with the provider in force on the day that
    includes the item; its price is the agreed one."""
    in_force = [a for a in world.agreements.get(elder["pk"], {}).values()
                if a["starts_on"] <= day and rules.in_force(None, a["ended_on"], day)
                and rules.in_force(None, a["ends_on"], day)]
    if not in_force:
        check.refuse(Reason.NO_AGREEMENT, elder_field)
        return
    if item is None:
        return
    with_item = [a for a in in_force if item["pk"] in a["prices"]]
    if not with_item:
        check.refuse(Reason.ITEM_NOT_IN_AGREEMENT, "service_item")
        return
    agreement = max(with_item, key=lambda a: (a["starts_on"], a["pk"]))
    check.agreement_id = agreement["pk"]
    check.unit_price = agreement["prices"][item["pk"]]


def _check_provider_on(world, check, elder, day) -> None:
    """A contract in force on the day covering where the elder is served,
    the street of residence or the community, whatever the hukou (Art 30:
    the provider near the residence); no tender bar in force (Art 14, 25)."""
    places = service_area_ids(elder["residence_street_id"], elder["community_id"])
    covered = any(rules.contract_in_force(starts, ends, ended, day)
                  for place in places for starts, ends, ended
                  in world.coverage.get(place, []))
    if not covered:
        check.refuse(Reason.PROVIDER_NO_CONTRACT, "provider")
    if any(rules.bar_in_force(starts, lifts, day) for starts, lifts in world.bars):
        check.refuse(Reason.PROVIDER_BARRED, "provider")


def _price(world, check, row, elder, item) -> None:
    """Units (given, or from the item's unit and the duration), the amount
    at the agreed price, and the distance from the registered address."""
    minutes = rules.duration_minutes(row.check_in_at, row.check_out_at)
    check.units = row.units if row.units is not None else rules.default_units(item["unit"],
                                                                               minutes)
    check.amount = rules.amount(check.units, check.unit_price)
    home = rules.parse_location(elder["home_location"])
    if row.latitude is not None and row.longitude is not None and home is not None:
        check.distance_m = rules.distance_m(float(row.latitude), float(row.longitude), *home)
        tolerance = world.tolerance(check.service_date, elder["residence_street__parent_id"])
        if tolerance is not None and check.distance_m > tolerance:
            check.flags.append(Flag.FAR_FROM_ADDRESS)


def _plan_limit(world, elder_id: int, item_id: int, day: date) -> int:
    """Times per month of the item in the plan in force on ``day`` (the
    latest begun), counting lines for this provider or for no provider;
    no plan or no line: 0."""
    plans = [p for p in world.plans.get(elder_id, {}).values()
             if rules.in_force(p["starts_on"], p["ends_on"], day)]
    if not plans:
        return 0
    return max(plans, key=lambda p: p["starts_on"])["times"].get(item_id, 0)


def _check_together(world: _World, provider, checks: list[tuple[Candidate, Checked]]) -> None:
    """Overlaps with stored visits and with the rows accepted before, and
    the plan's frequency, row by row in order. A caregiver is at one visit
    at a time, whatever the item; an elder's visits exclude each other only
    when both need the elder at home (``rules.EXCLUSIVE_UNITS``): a meal at
    the canteen during a home visit is no clash."""
    timed = [(c, k) for c, k in checks
             if c.input.check_in_at is not None and c.input.check_out_at is not None
             and c.input.check_out_at > c.input.check_in_at and not c.duplicate]
    if not timed:
        return
    unit_ids = {i["pk"]: i["unit"] for i in world.items.values()}
    units = [unit_ids.get(k.service_item_id) for _c, k in timed]
    exclusive = {index for index, unit in enumerate(units) if unit in rules.EXCLUSIVE_UNITS}
    stored, counts = _stored_visits(provider, timed, exclusive)
    Slot = tuple[int | None, datetime, datetime, str | None]
    by_caregiver: dict[int, list[Slot]] = defaultdict(list)
    by_elder: dict[int, list[Slot]] = defaultdict(list)
    for pk, caregiver_id, elder_id, check_in, check_out, unit in stored:
        by_caregiver[caregiver_id].append((pk, check_in, check_out, unit))
        by_elder[elder_id].append((pk, check_in, check_out, unit))
    gone: set[int] = set()  # stored versions superseded by a correction accepted above

    def clash(visits, own: int | None, check_in, check_out, unit=None) -> bool:
        """Whether a visit of ``visits`` overlaps (for the elder, ``unit``
        given: one that needs the elder at home too)."""
        return any(rules.overlaps(check_in, check_out, start, end)
                   and (unit is None or rules.elders_overlap(unit, other))
                   for pk, start, end, other in visits
                   if pk is None or (pk != own and pk not in gone))

    for index, (candidate, check) in enumerate(timed):
        row, old = candidate.input, candidate.replaces
        own, unit = (old["pk"] if old else None), units[index]
        if check.caregiver_id and clash(by_caregiver.get(check.caregiver_id, ()), own,
                                        row.check_in_at, row.check_out_at):
            check.refuse(Reason.CAREGIVER_OVERLAP, "caregiver")
        if check.elder_id and index in exclusive and clash(
                by_elder.get(check.elder_id, ()), own, row.check_in_at, row.check_out_at,
                unit):
            check.refuse(Reason.ELDER_OVERLAP,
                         "elder" if row.elder_pk and not row.elder_id_number
                         else "elder_id_number")
        if not check.accepted:
            check.flags = []
            continue
        by_caregiver[check.caregiver_id].append((None, row.check_in_at, row.check_out_at, unit))
        by_elder[check.elder_id].append((None, row.check_in_at, row.check_out_at, unit))
        if old is not None:
            gone.add(old["pk"])
            old_month = rules.month_start(old["service_date"])
            counts[(old["elder_id"], old["service_item_id"], old_month)] -= 1
        key = (check.elder_id, check.service_item_id, rules.month_start(check.service_date))
        counts[key] += 1
        if counts[key] > _plan_limit(world, check.elder_id, check.service_item_id,
                                     check.service_date):
            check.flags.append(Flag.EXCEEDS_PLAN)
