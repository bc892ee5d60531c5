"""The audit's rules about single visits: the elder on the day (dead,
entitlement ended, moved away, in hospital or an institution), the visit
itself (a caregiver in two places, shorter than billed, far from the
address, a reused photo, beyond the plan, barred or without a contract).
Each selects from the month's visits of the district
(``month.Audit.prepare``) with one SQL statement."""

from __future__ import annotations

from apps.findings import rules
from apps.findings.audit.month import Audit, money, other_visits, visit_rule
from apps.findings.evidence import iso_day
from apps.findings.models import Finding, FindingRule
from apps.policy.lookup import value_on
from apps.visits import rules as visit_rules

BILLED_TOLERANCE = "audit.billed_minutes_tolerance"
GPS_TOLERANCE = "visit.gps_tolerance"


# --- the elder on the day ------------------------------------------------------

# The elder's life-status periods, from the change history (every version of
# the elder the database kept, and the record as it stands): consecutive
# versions with one status make one period, which starts on the status date
# last recorded for it (a corrected date replaces the first) or, without
# one, on the day it was recorded; it lasts until the next period starts.
STATUS_PERIODS = """
status_version AS (
    SELECT h.pgh_obj_id AS elder_id, h.pgh_id AS seq, h.life_status,
           h.life_status_since AS since,
           (h.pgh_created_at AT TIME ZONE %(tz)s)::date AS recorded_on
      FROM elders_elderevent h
     WHERE h.pgh_obj_id IN (SELECT elder_id FROM district_visit)
       AND h.pgh_label <> 'delete'
    UNION ALL
    SELECT e.id, 9223372036854775807, e.life_status, e.life_status_since,
           (now() AT TIME ZONE %(tz)s)::date
      FROM elders_elder e
     WHERE e.id IN (SELECT elder_id FROM district_visit)
), status_marked AS (
    SELECT *, sum(CASE WHEN changed THEN 1 ELSE 0 END)
                  OVER (PARTITION BY elder_id ORDER BY seq) AS period
      FROM (SELECT *, lag(life_status) OVER (PARTITION BY elder_id ORDER BY seq)
                          IS DISTINCT FROM life_status AS changed
              FROM status_version) changes
), status_run AS (
    SELECT elder_id, min(seq) AS seq, min(life_status) AS life_status,
           coalesce((array_agg(since ORDER BY seq DESC)
                     FILTER (WHERE since IS NOT NULL))[1], min(recorded_on)) AS starts_on
      FROM status_marked
     GROUP BY elder_id, period
), status_period AS (
    SELECT elder_id, life_status, starts_on,
           lead(starts_on) OVER (PARTITION BY elder_id ORDER BY seq) AS ends_before
      FROM status_run
)"""


def _in_status(statuses: str) -> str:
    return f"""JOIN status_period p ON p.elder_id = v.elder_id AND p.life_status IN ({statuses})
       AND v.service_date >= p.starts_on
       AND (p.ends_before IS NULL OR v.service_date < p.ends_before)"""


def after_death(audit: Audit) -> list[Finding]:
    """Visits on or after the day the elder died (as the intake refuses
    them: a visit the day before is fine)."""
    return visit_rule(
        audit, FindingRule.AFTER_DEATH,
        joins="JOIN elders_elder e ON e.id = v.elder_id",
        columns="e.life_status_since AS died_on",
        condition="e.life_status = 'deceased' AND e.life_status_since <= v.service_date",
        evidence=lambda row: {"died_on": iso_day(row["died_on"])})


def after_termination(audit: Audit) -> list[Finding]:
    """Visits on a day no entitlement was in force (cancelled ones do not
    count) after one had begun: it had ended, or it was cancelled. A day the
    elder's life status explains (dead, moved away, in hospital or an
    institution) is left to those rules, so a visit is not counted twice."""
    return visit_rule(
        audit, FindingRule.AFTER_TERMINATION, ctes=STATUS_PERIODS,
        joins="""JOIN elders_elder e ON e.id = v.elder_id
  JOIN LATERAL (
      SELECT en.valid_from, en.valid_until, en.status, en.end_reason
        FROM subsidies_entitlement en
       WHERE en.elder_id = v.elder_id AND en.valid_from <= v.service_date
       ORDER BY coalesce(en.valid_until, 'infinity'::date) DESC, en.valid_from DESC,
                en.id DESC
       LIMIT 1) last_entitlement ON true""",
        columns="""last_entitlement.valid_from AS entitlement_from,
       last_entitlement.valid_until AS entitlement_until,
       last_entitlement.status AS entitlement_status, last_entitlement.end_reason""",
        condition="""NOT EXISTS (
              SELECT 1 FROM subsidies_entitlement en
               WHERE en.elder_id = v.elder_id AND en.status <> 'cancelled'
                 AND en.valid_from <= v.service_date
                 AND (en.valid_until IS NULL OR en.valid_until >= v.service_date))
         AND NOT (e.life_status = 'deceased' AND e.life_status_since <= v.service_date)
         AND NOT EXISTS (
              SELECT 1 FROM status_period p
               WHERE p.elder_id = v.elder_id AND p.life_status <> 'active'
                 AND v.service_date >= p.starts_on
                 AND (p.ends_before IS NULL OR v.service_date < p.ends_before))""",
        evidence=lambda row: {
            "entitlement_from": iso_day(row["entitlement_from"]),
            "entitlement_until": iso_day(row["entitlement_until"]),
            "entitlement_status": row["entitlement_status"],
            "end_reason": row["end_reason"]})


def _status_evidence(row: dict) -> dict:
    return {"life_status": row["life_status"], "status_since": iso_day(row["starts_on"]),
            "status_until": iso_day(row["ends_before"])}


def after_moving_away(audit: Audit) -> list[Finding]:
    """Visits while the elder had moved away (from the day of the move until
    a return, if the history records one)."""
    return visit_rule(
        audit, FindingRule.AFTER_MOVING_AWAY, ctes=STATUS_PERIODS,
        joins=_in_status("'moved_away'"),
        columns="p.life_status, p.starts_on, p.ends_before", condition="true",
        evidence=_status_evidence)


def in_hospital_or_institution(audit: Audit) -> list[Finding]:
    """Visits while the elder was in hospital or in a care institution (the
    periods of the history, from the day the stay began until the day the
    next status began)."""
    return visit_rule(
        audit, FindingRule.IN_HOSPITAL_OR_INSTITUTION, ctes=STATUS_PERIODS,
        joins=_in_status("'in_hospital', 'in_institution'"),
        columns="p.life_status, p.starts_on, p.ends_before", condition="true",
        evidence=_status_evidence)


# --- the visit itself -----------------------------------------------------------

# The other visits as JSON, for the evidence.
OTHER_VISIT_JSON = """json_build_object(
    'visit_id', o.id, 'provider', op.name, 'provider_visit_id', o.provider_visit_id,
    'service_date', o.service_date, 'service_item', oi.name, 'caregiver', oc.name,
    'check_in_at', o.check_in_at, 'check_out_at', o.check_out_at)"""
OTHER_VISIT_JOINS = """JOIN providers_provider op ON op.id = o.provider_id
          JOIN catalogue_serviceitem oi ON oi.id = o.service_item_id
          JOIN providers_staffmember oc ON oc.id = o.caregiver_id"""


def caregiver_overlap(audit: Audit) -> list[Finding]:
    """Visits during which the same caregiver was at another current visit
    (any month, any district): each of the visits is a finding, naming the
    others. Looked for through the caregiver's index, among visits that began
    at most a day before (``visits.rules.LONGEST_CAREGIVER_VISIT``)."""
    return visit_rule(
        audit, FindingRule.CAREGIVER_OVERLAP,
        joins=f"""JOIN LATERAL (
      SELECT json_agg({OTHER_VISIT_JSON} ORDER BY o.check_in_at, o.id) AS other_visits
        FROM visits_servicevisit o
          {OTHER_VISIT_JOINS}
       WHERE o.caregiver_id = v.caregiver_id AND o.is_current AND o.id <> v.id
         AND o.check_in_at >= v.check_in_at - %(longest)s
         AND o.check_in_at < v.check_out_at AND o.check_out_at > v.check_in_at
      ) overlap ON true""",
        columns="overlap.other_visits", condition="overlap.other_visits IS NOT NULL",
        params={"longest": visit_rules.LONGEST_CAREGIVER_VISIT},
        evidence=lambda row: {"other_visits": other_visits(row["other_visits"])})


def shorter_than_billed(audit: Audit) -> list[Finding]:
    """Visits that lasted less than they bill: an hourly item billing more
    than the time between check-in and check-out rounded up to the half hour
    (as the intake accepts it), beyond the district's tolerance
    (``audit.billed_minutes_tolerance``); a per-visit item shorter than its minimum
    duration (Art 24); a per-day item billing more days than the stay spans.
    Meals and monthly services have no duration to compare."""
    tolerance = int(value_on(BILLED_TOLERANCE, audit.day, audit.district))
    minutes = "floor(extract(epoch FROM v.check_out_at - v.check_in_at) / 60)"

    def evidence(row: dict) -> dict:
        if row["unit"] == visit_rules.HOURLY:
            return {"billed_minutes": rules.billed_minutes(row["units"]),
                    "tolerance_minutes": tolerance}
        if row["unit"] == visit_rules.PER_DAY:
            return {"days_billed": rules.plain_number(row["units"]),
                    "days_spanned": row["days_spanned"]}
        return {"min_duration_minutes": row["min_duration_minutes"]}

    return visit_rule(
        audit, FindingRule.SHORTER_THAN_BILLED,
        columns="""(v.check_out_at AT TIME ZONE %(tz)s)::date
                   - (v.check_in_at AT TIME ZONE %(tz)s)::date + 1 AS days_spanned""",
        condition=f"""(item.unit = 'hour'
              AND v.units * 60 > ceil({minutes} / 30) * 30 + %(tolerance)s)
         OR (item.unit = 'visit' AND {minutes} < item.min_duration_minutes)
         OR (item.unit = 'day' AND v.units > (v.check_out_at AT TIME ZONE %(tz)s)::date
                                  - (v.check_in_at AT TIME ZONE %(tz)s)::date + 1)""",
        params={"tolerance": tolerance}, evidence=evidence)


def far_from_address(audit: Audit) -> list[Finding]:
    """Visits checked in further from the elder's registered address than
    the district's GPS tolerance (``visit.gps_tolerance``, as on the month's
    last day), or flagged so when they were accepted."""
    tolerance = int(value_on(GPS_TOLERANCE, audit.day, audit.district))
    return visit_rule(
        audit, FindingRule.FAR_FROM_ADDRESS,
        columns="v.distance_m, 'far_from_address' = ANY(v.flags) AS flagged",
        condition="'far_from_address' = ANY(v.flags) OR v.distance_m > %(tolerance)s",
        params={"tolerance": tolerance},
        evidence=lambda row: {"distance_m": row["distance_m"], "tolerance_m": tolerance,
                              "flagged_at_intake": row["flagged"]})


def photo_reused(audit: Audit) -> list[Finding]:
    """Visits whose photo (by its checksum) is that of another current
    visit taken before it: the first use is not a finding, every later use
    is, naming all the others."""
    ctes = f"""
photo_use AS (
    SELECT o.photo_sha256,
           (array_agg(o.id ORDER BY o.check_in_at, o.id))[1] AS first_visit_id,
           json_agg({OTHER_VISIT_JSON} ORDER BY o.check_in_at, o.id) AS uses
      FROM visits_servicevisit o
          {OTHER_VISIT_JOINS}
     WHERE o.is_current AND o.photo_sha256 IN (
               SELECT photo_sha256 FROM district_visit
                WHERE photo_sha256 <> '')
     GROUP BY o.photo_sha256
    HAVING count(*) > 1
)"""
    return visit_rule(
        audit, FindingRule.PHOTO_REUSED, ctes=ctes,
        joins="JOIN photo_use pu ON pu.photo_sha256 = v.photo_sha256",
        columns="v.photo_sha256, pu.first_visit_id, pu.uses",
        condition="pu.first_visit_id <> v.id",
        evidence=lambda row: {
            "photo_sha256": row["photo_sha256"], "first_visit_id": row["first_visit_id"],
            "other_visits": other_visits(row["uses"], besides=row["visit_id"])})


def beyond_plan(audit: Audit) -> list[Finding]:
    """Visits beyond the elder's plan: flagged so when they were accepted
    (more visits of the item in the month than the plan's frequency), or
    whose settlement line the plan did not cover in full."""
    ctes = """
item_visit AS (
    SELECT id, row_number() OVER (PARTITION BY elder_id, service_item_id
                                  ORDER BY check_in_at, id) AS item_visits
      FROM district_visit
)"""
    joins = """JOIN item_visit iv ON iv.id = v.id
  LEFT JOIN LATERAL (
      SELECT p.id AS plan_id,
             (SELECT coalesce(sum(pi.times_per_month), 0)
                FROM careplans_serviceplanitem pi
               WHERE pi.plan_id = p.id AND pi.service_item_id = v.service_item_id
                 AND (pi.provider_id IS NULL OR pi.provider_id = v.provider_id)
             ) AS plan_times
        FROM careplans_serviceplan p
       WHERE p.elder_id = v.elder_id AND p.starts_on <= %(month_end)s
         AND (p.ends_on IS NULL OR p.ends_on >= %(month_start)s)
       ORDER BY p.starts_on DESC, p.id DESC LIMIT 1) planned ON true"""
    return visit_rule(
        audit, FindingRule.BEYOND_PLAN, ctes=ctes, joins=joins,
        columns="""iv.item_visits, planned.plan_times, line.covered, line.cost,
       'exceeds_plan' = ANY(v.flags) AS flagged""",
        condition="'exceeds_plan' = ANY(v.flags) OR line.covered < line.cost",
        evidence=lambda row: {
            "item_visits": row["item_visits"], "plan_times": row["plan_times"],
            "flagged_at_intake": row["flagged"], "covered": money(row["covered"]),
            "cost": money(row["cost"])})


def barred_or_no_contract(audit: Audit) -> list[Finding]:
    """Visits on a day the provider was barred from tenders (Art 25), or had
    no contract in force covering the elder's street or community of
    residence (Art 14, 30), as the intake checks them."""
    joins = """JOIN elders_elder e ON e.id = v.elder_id
  LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('starts_on', b.starts_on, 'lifts_on', b.lifts_on,
                                        'reason', b.reason) ORDER BY b.starts_on) AS barred
        FROM contracts_tenderbar b
       WHERE b.provider_id = v.provider_id AND b.starts_on <= v.service_date
         AND b.lifts_on > v.service_date) bar ON true
  LEFT JOIN LATERAL (
      SELECT c.reference, least(c.ends_on, coalesce(c.ended_on, c.ends_on)) AS last_day
        FROM contracts_contract c
        JOIN contracts_contract_covered_area a ON a.contract_id = c.id
       WHERE c.provider_id = v.provider_id
         AND a.region_id IN (e.residence_street_id, e.community_id)
         AND c.starts_on <= v.service_date
       ORDER BY least(c.ends_on, coalesce(c.ended_on, c.ends_on)) DESC, c.id DESC
       LIMIT 1) contract ON true"""
    no_contract = "(contract.reference IS NULL OR contract.last_day < v.service_date)"
    return visit_rule(
        audit, FindingRule.BARRED_OR_NO_CONTRACT, joins=joins,
        columns=f"""bar.barred, {no_contract} AS no_contract,
       contract.reference AS last_contract, contract.last_day AS last_contract_until""",
        condition=f"bar.barred IS NOT NULL OR {no_contract}",
        evidence=lambda row: {
            "barred": row["barred"] or [], "no_contract": row["no_contract"],
            "last_contract": row["last_contract"],
            "last_contract_until": iso_day(row["last_contract_until"])})
