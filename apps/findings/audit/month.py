"""The month a district audits (``Audit``), the visits it reads, the amount
at stake of a visit, and how a rule's rows become findings: what every rule
of ``apps.findings.audit`` shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from apps.findings import rules
from apps.findings.evidence import describe, iso_day, iso_moment
from apps.findings.models import Finding, FindingRule
from apps.regions.models import Region
from apps.subsidies.rules import month_end

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Audit:
    """One district and month being audited."""

    district: Region
    month: date  # its first day
    today: date

    @property
    def last_day(self) -> date:
        return month_end(self.month)

    @property
    def day(self) -> date:
        """The day counts are taken on: the month's last, or today for the
        month under way."""
        return min(self.last_day, self.today)

    def params(self, **extra) -> dict:
        return {"district": self.district.pk, "month_start": self.month,
                "month_end": self.last_day, "months": [self.month],
                "tz": settings.TIME_ZONE, **extra}

    def prepare(self) -> None:
        """Select the district's visits of the month once, into the temporary
        table ``district_visit`` that every visit rule reads (dropped at the
        end of the transaction); analysed, so the rules are planned on the
        real numbers. One audit of a district at a time: a second waits for
        the first to commit, then finds its findings raised."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('findings.audit'), %s)",
                           [self.district.pk])
            cursor.execute("DROP TABLE IF EXISTS district_visit")
            cursor.execute(f"CREATE TEMPORARY TABLE district_visit ON COMMIT DROP AS "
                           f"WITH {DISTRICT_VISITS} SELECT * FROM district_visit",
                           self.params())
            cursor.execute("ANALYZE district_visit")


# --- the district's visits and the amount at stake -----------------------------

# The current visits of ``months`` (first days; the last is the audited
# month) counted for the district (see the module docstring), each with its
# month. The months are a literal array, so the planner knows how many.
DISTRICT_VISITS = """
month_entitlement AS (
    SELECT DISTINCT ON (en.elder_id, m.month) en.elder_id, m.month,
           en.paying_district_id
      FROM unnest(%(months)s::date[]) AS m(month)
      JOIN subsidies_entitlement en
        ON en.status <> 'cancelled'
       AND en.valid_from <= (m.month + interval '1 month' - interval '1 day')::date
       AND (en.valid_until IS NULL OR en.valid_until >= m.month)
     ORDER BY en.elder_id, m.month, en.valid_from DESC, en.id DESC
), district_visit AS (
    SELECT v.*, date_trunc('month', v.service_date)::date AS month
      FROM visits_servicevisit v
      JOIN elders_elder e ON e.id = v.elder_id
      JOIN regions_region street ON street.id = e.residence_street_id
      LEFT JOIN month_entitlement me
        ON me.elder_id = v.elder_id
       AND me.month = date_trunc('month', v.service_date)::date
     WHERE v.is_current
       AND v.service_date >= (%(months)s::date[])[1] AND v.service_date <= %(month_end)s
       AND coalesce(me.paying_district_id, street.parent_id) = %(district)s
)"""

def at_stake_sql(visit: str = "v") -> tuple[str, str]:
    """The amount at stake of ``visit`` (an alias of a visits row), as the
    SQL columns to select and the join they need: what the subsidy paid for
    the visit, its settlement line in the run of its month (not an
    adjustment; subsidy + performance subsidy) when it has one, else the
    visit's amount. The one place it is worked out; every visit rule reads
    it."""
    columns = f"""line.run_id AS settlement_run_id, line.subsidy, line.bonus,
       coalesce(line.subsidy + line.bonus, {visit}.amount) AS at_stake"""
    join = f"""
  LEFT JOIN LATERAL (
      SELECT l.run_id, l.subsidy, l.bonus, l.covered, l.cost
        FROM settlement_settlementline l
        JOIN settlement_settlementrun r ON r.id = l.run_id
       WHERE l.visit_id = {visit}.id AND NOT l.is_adjustment
         AND r.month = date_trunc('month', {visit}.service_date)::date
       ORDER BY l.run_id DESC LIMIT 1) line ON true"""
    return columns, join


VISIT_COLUMNS = """v.id AS visit_id, v.provider_id, provider.name AS provider, v.elder_id,
       v.provider_visit_id, v.version, v.service_date, item.name AS service_item,
       item.unit, item.min_duration_minutes, caregiver.name AS caregiver,
       v.check_in_at, v.check_out_at,
       floor(extract(epoch FROM v.check_out_at - v.check_in_at) / 60)::int AS minutes,
       v.units, v.amount"""

# A visit rule: the month's visits of the district (``Audit.prepare``) that
# meet ``condition``, with the common facts, the amount at stake and the
# rule's own ``columns``.
VISIT_RULE = """
{ctes}
SELECT {visit_columns}, {stake_columns}{columns}
  FROM district_visit v
  JOIN providers_provider provider ON provider.id = v.provider_id
  JOIN catalogue_serviceitem item ON item.id = v.service_item_id
  JOIN providers_staffmember caregiver ON caregiver.id = v.caregiver_id
  {stake_join}
  {joins}
 WHERE {condition}
 ORDER BY v.id
"""


def fetch_rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def money(value) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(CENT)}"


def visit_evidence(row: dict) -> dict:
    """The facts of the visit itself and of its amount at stake."""
    settled = row["settlement_run_id"] is not None
    return {
        "visit_id": row["visit_id"],
        "provider_visit_id": row["provider_visit_id"],
        "version": row["version"],
        "provider": row["provider"],
        "service_date": iso_day(row["service_date"]),
        "service_item": row["service_item"],
        "caregiver": row["caregiver"],
        "check_in_at": iso_moment(row["check_in_at"]),
        "check_out_at": iso_moment(row["check_out_at"]),
        "minutes": row["minutes"],
        "units": rules.plain_number(row["units"]),
        "unit": row["unit"],
        "amount": money(row["amount"]),
        "at_stake_from": "settlement" if settled else "visit",
        **({"settlement_run_id": row["settlement_run_id"], "subsidy": money(row["subsidy"]),
            "bonus": money(row["bonus"])} if settled else {}),
    }


def other_visits(visits: list[dict] | None, *, besides: int | None = None) -> list[dict]:
    """Other visits as the evidence keeps them (times in local time),
    without visit ``besides``."""
    return [{**visit, "check_in_at": iso_moment(parse_datetime(visit["check_in_at"])),
             "check_out_at": iso_moment(parse_datetime(visit["check_out_at"]))}
            for visit in visits or () if visit["visit_id"] != besides]


def new_finding(audit: Audit, rule: str, source_key: str, evidence: dict, *,
             amount=Decimal("0.00"), provider_id=None, elder_id=None,
             visit_id=None) -> Finding:
    return Finding(
        rule=rule, source_key=source_key, district=audit.district, month=audit.month,
        provider_id=provider_id, elder_id=elder_id, visit_id=visit_id,
        summary=(describe(rule, evidence) or str(FindingRule(rule).label))[:300],
        evidence=evidence, amount=Decimal(amount).quantize(CENT))


def visit_rule(audit: Audit, rule: str, *, condition: str, columns: str = "",
                joins: str = "", ctes: str = "", params: dict | None = None,
                evidence: Callable[[dict], dict] = lambda row: {}) -> list[Finding]:
    """The findings of a visit rule, one per visit (``visit:<id>``), with
    the visit's facts, the rule's ``evidence`` and the amount at stake."""
    stake_columns, stake_join = at_stake_sql("v")
    sql = VISIT_RULE.format(
        ctes=f"WITH {ctes}" if ctes else "", visit_columns=VISIT_COLUMNS,
        stake_columns=stake_columns, columns=f", {columns}" if columns else "",
        stake_join=stake_join, joins=joins, condition=condition)
    findings: dict[str, Finding] = {}
    for row in fetch_rows(sql, audit.params(**(params or {}))):
        key = f"visit:{row['visit_id']}"
        if key not in findings:  # a visit met the condition twice (two periods)
            findings[key] = new_finding(
                audit, rule, key, {**visit_evidence(row), **evidence(row)},
                amount=row["at_stake"], provider_id=row["provider_id"],
                elder_id=row["elder_id"], visit_id=row["visit_id"])
    return list(findings.values())
