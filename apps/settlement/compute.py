"""The set-based settlement of a run in PostgreSQL (issue 7 §4).

The same numbers as the pure reference ``apps.settlement.rules.settle_month``
(checked by ``tests/settlement/test_compute.py``), computed in SQL: the
month's lines are written with one ``INSERT ... SELECT`` using window
functions, the provider and run totals with one ``UPDATE ... FROM`` each.
No per-visit Python loop, no per-row save.

The lines of a run (``write_lines``):

- the current visits with a service date in the run's month, of the elders
  whose entitlement in force that month (the latest started, not cancelled)
  is paid by the run's district and is not at own cost;
- ``covered``: what the plan in force that month covers
  (``apps.careplans.rules.plan_coverage``): per elder and service item the
  visits, in (check-in, id) order, take first from the units of the plan
  lines naming their provider, then from the units of the lines naming no
  provider (a pool shared by every provider); a visit is covered for the
  share of its units taken, amount x covered units / units to the cent. An
  elder without a plan in force that month is covered in full (the
  entitlement still limits it);
- ``subsidy``: what each line adds to the rounded running split of the
  elder's covered total (``apps.subsidies.rules.share_lines``):
  least(round(running covered x (1 - elder share), 2), monthly amount);
- ``elder_pays`` = cost - subsidy;
- ``bonus``: the per-visit performance subsidy of the provider's grade in
  force on the service date for the item's category (``bonus_per_visit``),
  for an item earning it and a visit reaching the item's minimum duration.

A visit with a confirmed audit finding (on any of its versions) is not paid:
it has no line, and if its month is closed the next run takes back what was
paid through an adjustment (``apps.settlement.adjustments``).

Known simplification: one plan per elder and month (the latest started of
those in force during the month); ``plan_coverage`` would switch plans on the
day a plan supersedes another mid-month.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from apps.policy.lookup import value_on, values_on
from apps.settlement import rules
from apps.settlement.models import ItemStatus, ProviderSettlement, SettlementRun
from apps.subsidies.rules import month_end

# The lines of a month as they stand now: one SELECT, which ``write_lines``
# inserts for the run's month and ``apps.settlement.adjustments`` compares
# with what closed runs paid for an earlier month. Parameters: month (first
# and last day), district, the four bonus amounts, and ``elders``: an array
# of elder ids to limit it to, or NULL for every elder.
MONTH_LINES = """
WITH entitlement AS (
    SELECT DISTINCT ON (e.elder_id)
           e.elder_id, e.subsidy_class, e.monthly_amount, e.elder_share,
           e.paying_district_id
      FROM subsidies_entitlement e
     WHERE e.status <> 'cancelled'
       AND e.valid_from <= %(month_end)s
       AND (e.valid_until IS NULL OR e.valid_until >= %(month_start)s)
       AND e.elder_id IN (
           SELECT d.elder_id FROM subsidies_entitlement d
            WHERE d.paying_district_id = %(district)s AND d.status <> 'cancelled'
              AND d.valid_from <= %(month_end)s
              AND (d.valid_until IS NULL OR d.valid_until >= %(month_start)s))
       AND (%(elders)s::bigint[] IS NULL OR e.elder_id = ANY(%(elders)s::bigint[]))
     ORDER BY e.elder_id, e.valid_from DESC, e.id DESC
), paid AS MATERIALIZED (
    SELECT elder_id, monthly_amount, 1 - elder_share AS share FROM entitlement
     WHERE paying_district_id = %(district)s AND subsidy_class <> 'own_cost'
), plan AS MATERIALIZED (
    SELECT DISTINCT ON (p.elder_id) p.elder_id, p.id AS plan_id
      FROM careplans_serviceplan p
      JOIN paid ON paid.elder_id = p.elder_id
     WHERE p.starts_on <= %(month_end)s
       AND (p.ends_on IS NULL OR p.ends_on >= %(month_start)s)
     ORDER BY p.elder_id, p.starts_on DESC, p.id DESC
), member AS MATERIALIZED (
    SELECT paid.elder_id, paid.monthly_amount, paid.share, plan.plan_id IS NOT NULL AS planned
      FROM paid LEFT JOIN plan ON plan.elder_id = paid.elder_id
), allowance AS MATERIALIZED (
    SELECT elder_id, service_item_id,
           coalesce(sum(units) FILTER (WHERE provider_id IS NULL), 0) AS shared,
           array_agg(provider_id) FILTER (WHERE provider_id IS NOT NULL) AS providers,
           array_agg(units) FILTER (WHERE provider_id IS NOT NULL) AS provider_units
      FROM (SELECT plan.elder_id, i.service_item_id, i.provider_id,
                   sum(i.times_per_month * i.units_per_time) AS units
              FROM careplans_serviceplanitem i
              JOIN plan ON plan.plan_id = i.plan_id
             GROUP BY plan.elder_id, i.service_item_id, i.provider_id) pool
     GROUP BY elder_id, service_item_id
), bonus AS MATERIALIZED (
    -- per provider and bonus item, each grade from its day until the next one
    -- (the later id wins a day with two): joined by range, not looked up per visit
    SELECT g.provider_id, item.id AS service_item_id,
           coalesce(item.min_duration_minutes, 0) * interval '1 minute' AS least_time,
           g.effective_from AS since,
           coalesce(lead(g.effective_from) OVER (PARTITION BY g.provider_id, item.id
                                                 ORDER BY g.effective_from, g.id),
                    'infinity') AS until,
           CASE g.grade WHEN 'excellent' THEN %(excellent)s
                        WHEN 'good' THEN %(good)s
                        WHEN 'qualified' THEN %(qualified)s
                        WHEN 'unqualified' THEN %(unqualified)s
                        ELSE 0 END AS amount
      FROM evaluations_providergrade g
      JOIN catalogue_serviceitem item ON item.category = g.category
     WHERE item.bonus_eligible
), visit AS (
    SELECT v.id, v.elder_id, v.provider_id, v.service_item_id, v.check_in_at, v.units,
           v.amount,
           CASE WHEN m.planned THEN coalesce(
               a.provider_units[array_position(a.providers, v.provider_id)], 0) END AS own_pool,
           coalesce(a.shared, 0) AS shared_pool,
           coalesce(bonus.amount, 0) AS bonus
      FROM visits_servicevisit v
      JOIN member m ON m.elder_id = v.elder_id
      LEFT JOIN allowance a ON a.elder_id = v.elder_id
                           AND a.service_item_id = v.service_item_id
      LEFT JOIN bonus ON bonus.provider_id = v.provider_id
                     AND bonus.service_item_id = v.service_item_id
                     AND v.service_date >= bonus.since AND v.service_date < bonus.until
                     AND v.check_out_at - v.check_in_at >= bonus.least_time
     WHERE v.is_current
       AND v.service_date BETWEEN %(month_start)s AND %(month_end)s
       -- a confirmed audit finding on any version of the visit: not paid
       AND NOT EXISTS (
           SELECT 1 FROM findings_finding f
             JOIN visits_servicevisit fv ON fv.id = f.visit_id
            WHERE f.status = 'confirmed' AND fv.provider_id = v.provider_id
              AND fv.provider_visit_id = v.provider_visit_id)
), own_take AS (
    -- first from the plan lines naming the visit's provider (what the running
    -- sum through this visit leaves of the pool, at most the visit's units)
    SELECT visit.*,
           greatest(0, least(units, own_pool + units - sum(units) OVER (
               PARTITION BY elder_id, service_item_id, provider_id
               ORDER BY check_in_at, id ROWS UNBOUNDED PRECEDING))) AS own_units
      FROM visit
), shared_take AS (
    -- then what is left of the visit from the lines naming no provider
    SELECT own_take.*,
           greatest(0, least(units - own_units,
               shared_pool + (units - own_units) - sum(units - own_units) OVER (
                   PARTITION BY elder_id, service_item_id
                   ORDER BY check_in_at, id ROWS UNBOUNDED PRECEDING))) AS shared_units
      FROM own_take
), covered AS (
    SELECT elder_id, provider_id, id, check_in_at, amount, bonus,
           CASE WHEN own_pool IS NULL OR units <= 0 OR own_units + shared_units >= units
                    THEN amount
                WHEN own_units + shared_units <= 0 THEN 0
                ELSE round(amount * (own_units + shared_units) / units, 2)
           END AS covered
      FROM shared_take
), running AS (
    -- a line's subsidy: what it adds to the rounded running split of the
    -- elder's covered total (the previous total is through - covered, exactly)
    SELECT covered.*, sum(covered) OVER (PARTITION BY elder_id ORDER BY check_in_at, id
                                         ROWS UNBOUNDED PRECEDING) AS through
      FROM covered
)
SELECT r.provider_id, r.elder_id, r.id AS visit_id, r.amount AS cost, r.covered, s.subsidy,
       r.amount - s.subsidy AS elder_pays, r.bonus
  FROM running r
  JOIN paid ON paid.elder_id = r.elder_id
 CROSS JOIN LATERAL (
     SELECT round(least(r.through * paid.share, paid.monthly_amount), 2)
            - round(least((r.through - r.covered) * paid.share, paid.monthly_amount), 2)
            AS subsidy) s
"""


def bonus_values(district_id: int, month) -> dict[str, Decimal]:
    """The per-visit amounts by grade in force on the month's last day for
    the district (``bonus.excellent`` ... as ``rules.BONUS_KEY``)."""
    last_day = month_end(month)
    keys = {grade: rules.BONUS_KEY.format(grade=grade) for grade in rules.GRADES}
    found = values_on(last_day, district_id, keys=list(keys.values()))  # one query
    return {grade: rules.money(found[key] if key in found
                               else value_on(key, last_day, district_id))  # raises: missing
            for grade, key in keys.items()}


def month_params(district_id: int, month, elders: list[int] | None = None) -> dict:
    """The parameters of ``MONTH_LINES`` for a district's month."""
    return {"month_start": month, "month_end": month_end(month), "district": district_id,
            "elders": elders, **bonus_values(district_id, month)}


def write_lines(run: SettlementRun) -> int:
    """Replace the run's lines of its own month by the month's (adjustment
    lines are kept), in one transaction; returns how many were written. The
    database refuses it once the run is approved."""
    if run.is_closed:
        raise ValueError(f"settlement run {run.pk} is {run.status}: its lines cannot change")
    params = {"run": run.pk, **month_params(run.district_id, run.month)}
    with transaction.atomic(), connection.cursor() as cursor:
        # In the same round trip as the delete, for this transaction only: the
        # windows sort a district's visits in memory rather than on disk, and
        # JIT compilation would cost more than it saves on this statement.
        cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; "
                       "DELETE FROM settlement_settlementline "
                       "WHERE run_id = %s AND NOT is_adjustment", [run.pk])
        # In visit order: the (run, visit) and visit indexes grow at their
        # right end and the deferred foreign-key checks read the visits in
        # their physical order, instead of one random page per line (a city
        # month of a million lines: 37 s instead of 45 s).
        cursor.execute(
            "INSERT INTO settlement_settlementline (run_id, provider_id, elder_id, visit_id,"
            " service_month, is_adjustment, cost, covered, subsidy, elder_pays, bonus)"
            " SELECT %(run)s, m.provider_id, m.elder_id, m.visit_id, %(month_start)s, false,"
            " m.cost, m.covered, m.subsidy, m.elder_pays, m.bonus"
            f" FROM ({MONTH_LINES}) m ORDER BY m.visit_id", params)
        return cursor.rowcount


def create_provider_items(run: SettlementRun) -> int:
    """One waiting work item per provider having lines (its month's or
    adjustments) or withholdings in the run (those already there are kept);
    returns how many were added."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO settlement_providersettlement
                (run_id, provider_id, status, attempts, computation, visits, elders, cost,
                 subsidy, elder_pays, bonus_visits, bonus, adjustments, withheld, payable)
            SELECT %(run)s, p.provider_id, %(pending)s, 0, %(computation)s,
                   0, 0, 0, 0, 0, 0, 0, 0, 0, 0
              FROM (SELECT l.provider_id FROM settlement_settlementline l
                     WHERE l.run_id = %(run)s
                    UNION
                    SELECT w.provider_id FROM settlement_withholding w
                     WHERE w.run_id = %(run)s) p
            ON CONFLICT (run_id, provider_id) DO NOTHING
            """, {"run": run.pk, "pending": ItemStatus.PENDING.value,
                  "computation": run.computation})
        return cursor.rowcount


def total_provider(item: ProviderSettlement) -> None:
    """The provider's totals in the run, in one statement: the month's
    lines; ``adjustments``, the subsidy and performance subsidy of its
    adjustment lines; ``withheld``, its withholdings;
    ``payable`` = subsidy + bonus + adjustments − withheld."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE settlement_providersettlement ps
               SET visits = s.visits, elders = s.elders, cost = s.cost,
                   subsidy = s.subsidy, elder_pays = s.elder_pays,
                   bonus_visits = s.bonus_visits, bonus = s.bonus,
                   adjustments = s.adjustments, withheld = w.withheld,
                   payable = s.subsidy + s.bonus + s.adjustments - w.withheld
              FROM (SELECT count(*) FILTER (WHERE NOT l.is_adjustment) AS visits,
                           count(DISTINCT l.elder_id) FILTER (WHERE NOT l.is_adjustment)
                               AS elders,
                           coalesce(sum(l.cost) FILTER (WHERE NOT l.is_adjustment), 0) AS cost,
                           coalesce(sum(l.subsidy) FILTER (WHERE NOT l.is_adjustment), 0)
                               AS subsidy,
                           coalesce(sum(l.elder_pays) FILTER (WHERE NOT l.is_adjustment), 0)
                               AS elder_pays,
                           count(*) FILTER (WHERE NOT l.is_adjustment AND l.bonus > 0)
                               AS bonus_visits,
                           coalesce(sum(l.bonus) FILTER (WHERE NOT l.is_adjustment), 0) AS bonus,
                           coalesce(sum(l.subsidy + l.bonus) FILTER (WHERE l.is_adjustment), 0)
                               AS adjustments
                      FROM settlement_settlementline l
                     WHERE l.run_id = %(run)s AND l.provider_id = %(provider)s) s,
                   (SELECT coalesce(sum(w.amount), 0) AS withheld
                      FROM settlement_withholding w
                     WHERE w.run_id = %(run)s AND w.provider_id = %(provider)s) w
             WHERE ps.id = %(item)s
            """, {"run": item.run_id, "provider": item.provider_id, "item": item.pk})


def total_run(run: SettlementRun, city_share: Decimal) -> None:
    """The run's totals from its provider rows (elders counted once across
    providers, from the month's lines), the assessment fees it pays and the
    funding split of what it pays (``rules.run_funding``: the subsidy is
    shared, the rest is the district's); stored on the run and on ``run``."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE settlement_settlementrun r
               SET visits = s.visits, elders = s.elders, cost = s.cost,
                   subsidy = s.subsidy, elder_pays = s.elder_pays, bonus = s.bonus,
                   adjustments = s.adjustments, withheld = s.withheld,
                   assessment_fees = f.fees,
                   payable = s.payable + f.fees
              FROM (SELECT coalesce(sum(ps.visits), 0) AS visits,
                           (SELECT count(DISTINCT l.elder_id) FROM settlement_settlementline l
                             WHERE l.run_id = %(run)s AND NOT l.is_adjustment) AS elders,
                           coalesce(sum(ps.cost), 0) AS cost,
                           coalesce(sum(ps.subsidy), 0) AS subsidy,
                           coalesce(sum(ps.elder_pays), 0) AS elder_pays,
                           coalesce(sum(ps.bonus), 0) AS bonus,
                           coalesce(sum(ps.adjustments), 0) AS adjustments,
                           coalesce(sum(ps.withheld), 0) AS withheld,
                           coalesce(sum(ps.payable), 0) AS payable
                      FROM settlement_providersettlement ps
                     WHERE ps.run_id = %(run)s) s,
                   (SELECT coalesce(sum(a.amount), 0) AS fees
                      FROM settlement_assessmentfeeline a WHERE a.run_id = %(run)s) f
             WHERE r.id = %(run)s
         RETURNING r.payable,
                   r.subsidy - r.withheld + (SELECT coalesce(sum(l.subsidy), 0)
                                               FROM settlement_settlementline l
                                              WHERE l.run_id = r.id AND l.is_adjustment)
            """, {"run": run.pk})
        payable, shared = cursor.fetchone()
        split = rules.run_funding(payable, shared, city_share)
        SettlementRun.objects.filter(pk=run.pk).update(city_share=split.city,
                                                       district_share=split.district)
    run.refresh_from_db()
