"""Adjustments: visits of a closed month that arrived or were corrected
after its run was approved (issue 7 §2). A closed month is never edited;
the difference goes into a later run, as adjustment lines.

For each earlier month of the district whose run is closed (approved or
paid), the elders touched since the closed runs saw the month (a visit
submitted or corrected, a finding on a visit confirmed) are settled again as
the month stands now (the same ``MONTH_LINES`` as the month's own run: the
entitlement, plan and grades as they stand now), and each visit's line is compared
with what the closed runs paid for it so far (its own line and earlier
adjustments). The difference, where there is one, is an adjustment line of
the run being computed: a late visit adds its line, a withdrawn version
takes its line back, and an elder's other visits move where the running
split of the month's subsidy moved.

A confirmed finding on a visit takes the visit out of the month (it is not
paid), so what was paid for it comes back here, once, whatever versions the
visit has. A change of the entitlement after the month closed (a death
recorded late, say) is followed only for an elder touched otherwise; the
audit raises its own findings for such visits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection

from apps.settlement.compute import MONTH_LINES, month_params
from apps.settlement.models import CLOSED, SettlementRun

# Visits submitted shortly before a run's lines were written may have been
# committed after it; looking back this far costs only recomputing elders
# whose difference is nothing.
MARGIN = timedelta(days=1)

# What changed a closed month since the closed runs saw it: a visit of the
# month submitted (a late one, or a correction: its new and its old
# version's month), or a finding on a visit of the month confirmed (the visit
# is then not paid: ``compute.MONTH_LINES``). Each closed month has its own
# cut-off (``cutoffs``).
_TOUCHED = """
WITH closed AS (
    SELECT * FROM unnest(%(months)s::date[], %(seen)s::timestamptz[]) AS c(month, seen)
), changed AS (
    SELECT v.service_date, v.elder_id, v.submitted_at AS at
      FROM visits_servicevisit v WHERE v.submitted_at > %(since)s
    UNION ALL
    SELECT o.service_date, o.elder_id, v.submitted_at
      FROM visits_servicevisit v JOIN visits_servicevisit o ON o.id = v.supersedes_id
     WHERE v.submitted_at > %(since)s
    UNION ALL
    SELECT fv.service_date, fv.elder_id, f.decided_at
      FROM findings_finding f JOIN visits_servicevisit fv ON fv.id = f.visit_id
     WHERE f.status = 'confirmed' AND f.decided_at > %(since)s
)
SELECT closed.month, array_agg(DISTINCT x.elder_id ORDER BY x.elder_id)
  FROM changed x
  JOIN closed ON closed.month = date_trunc('month', x.service_date)::date
 WHERE x.at > closed.seen
 GROUP BY closed.month
 ORDER BY closed.month
"""

_INSERT_ADJUSTMENTS = f"""
INSERT INTO settlement_settlementline
    (run_id, provider_id, elder_id, visit_id, service_month, is_adjustment,
     cost, covered, subsidy, elder_pays, bonus)
SELECT %(run)s, coalesce(t.provider_id, p.provider_id), coalesce(t.elder_id, p.elder_id),
       coalesce(t.visit_id, p.visit_id), %(month_start)s, true,
       coalesce(t.cost, 0) - coalesce(p.cost, 0),
       coalesce(t.covered, 0) - coalesce(p.covered, 0),
       coalesce(t.subsidy, 0) - coalesce(p.subsidy, 0),
       coalesce(t.elder_pays, 0) - coalesce(p.elder_pays, 0),
       coalesce(t.bonus, 0) - coalesce(p.bonus, 0)
  FROM ({MONTH_LINES}) t
  FULL JOIN (
      SELECT l.visit_id, l.provider_id, l.elder_id, sum(l.cost) AS cost,
             sum(l.covered) AS covered, sum(l.subsidy) AS subsidy,
             sum(l.elder_pays) AS elder_pays, sum(l.bonus) AS bonus
        FROM settlement_settlementline l
        JOIN settlement_settlementrun r ON r.id = l.run_id
       WHERE r.district_id = %(district)s AND r.status IN {CLOSED!r}
         AND l.service_month = %(month_start)s AND l.elder_id = ANY(%(elders)s::bigint[])
       GROUP BY l.visit_id, l.provider_id, l.elder_id) p ON p.visit_id = t.visit_id
 WHERE (coalesce(t.cost, 0), coalesce(t.covered, 0), coalesce(t.subsidy, 0),
        coalesce(t.elder_pays, 0), coalesce(t.bonus, 0))
       IS DISTINCT FROM
       (coalesce(p.cost, 0), coalesce(p.covered, 0), coalesce(p.subsidy, 0),
        coalesce(p.elder_pays, 0), coalesce(p.bonus, 0))
"""


def cutoffs(run: SettlementRun) -> dict[date, datetime]:
    """For each earlier month of the run's district whose run is closed: what
    was submitted before this (less ``MARGIN``) is settled. A closed run saw
    its own month and, through its adjustments, every earlier closed month,
    so a month's cut-off is the latest computation of a closed run of that
    month or later (a month closed late counts from its own computation)."""
    closed = (SettlementRun.objects
              .filter(district_id=run.district_id, month__lt=run.month, status__in=CLOSED)
              .order_by("-month").values_list("month", "computed_at"))
    seen, latest = {}, None
    for month, computed_at in closed:
        latest = computed_at if latest is None else max(latest, computed_at)
        seen[month] = latest - MARGIN
    return seen


def touched_months(run: SettlementRun) -> dict[date, list[int]]:
    """The closed earlier months of the run's district with the elders whose
    visits changed since, in two queries."""
    seen = cutoffs(run)
    if not seen:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_TOUCHED, {"months": list(seen), "seen": list(seen.values()),
                                  "since": min(seen.values())})
        return dict(cursor.fetchall())


def write_adjustments(run: SettlementRun) -> int:
    """Replace the run's adjustment lines (two statements per closed month
    touched, whatever the number of visits); returns how many were written.
    The caller holds the run's transaction."""
    if run.is_closed:
        raise ValueError(f"settlement run {run.pk} is {run.status}: its lines cannot change")
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlement_settlementline "
                       "WHERE run_id = %s AND is_adjustment", [run.pk])
        for month, elders in touched_months(run).items():
            params = {"run": run.pk, **month_params(run.district_id, month, elders)}
            cursor.execute(_INSERT_ADJUSTMENTS, params)
            written += cursor.rowcount
    return written
