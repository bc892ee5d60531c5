"""The audit's rules beyond single visits' records: follow-up calls that
found a service not received, a provider's volume against its own median, a
care manager's caseload and a provider's nursing staff against their
ratios."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from apps.findings import rules
from apps.findings.audit.month import (
    DISTRICT_VISITS,
    VISIT_COLUMNS,
    Audit,
    at_stake_sql,
    fetch_rows,
    new_finding,
    visit_evidence,
)
from apps.findings.evidence import iso_moment
from apps.findings.models import Finding, FindingRule
from apps.policy.lookup import value_on

VOLUME_FACTOR = "audit.volume_factor"
CARE_MANAGER_RATIO = "ratio.care_manager_elders"
NURSE_RATIO = "ratio.nurse_clients"


# --- follow-up calls -------------------------------------------------------------

FOLLOW_UPS_NOT_RECEIVED = """
SELECT f.id AS follow_up_id, f.called_at, f.note,
       nullif(trim(caller.first_name || ' ' || caller.last_name), '') AS caller_name,
       caller.username AS caller_username, v.check_in_method, v.check_out_method,
       {visit_columns}, {stake_columns}
  FROM visits_followup f
  JOIN visits_servicevisit v ON v.id = f.visit_id
  JOIN elders_elder e ON e.id = v.elder_id
  JOIN regions_region street ON street.id = e.residence_street_id
  JOIN providers_provider provider ON provider.id = v.provider_id
  JOIN catalogue_serviceitem item ON item.id = v.service_item_id
  JOIN providers_staffmember caregiver ON caregiver.id = v.caregiver_id
  LEFT JOIN accounts_user caller ON caller.id = f.called_by_id
  {stake_join}
 WHERE f.month = %(month_start)s AND f.status = 'done' AND f.outcome = 'not_received'
   AND street.parent_id = %(district)s
 ORDER BY f.id
"""


def followup_not_received(audit: Audit) -> list[Finding]:
    """Follow-up calls of the month that found the service not received.
    Recording such a call raises its finding at once
    (``apps.visits.followups``); the audit raises it under the same rule and
    source, so it only adds one that is missing, never a second. The
    district is the one the call's finding goes to: the elder's residence."""
    from apps.visits.followups import finding_source_key
    from apps.visits.models import FollowUp

    stake_columns, stake_join = at_stake_sql("v")
    sql = FOLLOW_UPS_NOT_RECEIVED.format(visit_columns=VISIT_COLUMNS,
                                         stake_columns=stake_columns, stake_join=stake_join)
    findings = []
    for row in fetch_rows(sql, audit.params()):
        evidence = {**visit_evidence(row),
                    "check_in_method": row["check_in_method"],
                    "check_out_method": row["check_out_method"],
                    "called_at": iso_moment(row["called_at"]),
                    "called_by": row["caller_name"] or row["caller_username"],
                    "note": row["note"]}
        findings.append(new_finding(
            audit, FindingRule.FOLLOWUP_NOT_RECEIVED,
            finding_source_key(FollowUp(pk=row["follow_up_id"])), evidence,
            amount=row["at_stake"], provider_id=row["provider_id"],
            elder_id=row["elder_id"], visit_id=row["visit_id"]))
    return findings


# --- providers and care managers --------------------------------------------------

VOLUMES = """
WITH {district_visits}
SELECT v.provider_id, provider.name AS provider, v.month, count(*) AS visits
  FROM district_visit v
  JOIN providers_provider provider ON provider.id = v.provider_id
 GROUP BY v.provider_id, provider.name, v.month
"""


def volume_above_median(audit: Audit) -> list[Finding]:
    """Providers whose visits of the month (in the district) exceed
    ``audit.volume_factor`` times the median of their three months before;
    only a provider with visits in each of those months has a median."""
    factor = value_on(VOLUME_FACTOR, audit.day, audit.district)
    before = rules.months_before(audit.month, rules.VOLUME_HISTORY_MONTHS)
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    for row in fetch_rows(VOLUMES.format(district_visits=DISTRICT_VISITS),
                     audit.params(months=[*before, audit.month])):
        counts[row["provider_id"]][row["month"]] = row["visits"]
        names[row["provider_id"]] = row["provider"]
    findings = []
    for provider_id, months in sorted(counts.items()):
        check = rules.volume_check(months.get(audit.month, 0),
                                   [months.get(m, 0) for m in before], factor)
        if check is None or not check.far_above:
            continue
        evidence = {
            "provider": names[provider_id], "month": f"{audit.month:%Y-%m}",
            "visits": check.visits,
            "history": [{"month": f"{m:%Y-%m}", "visits": n}
                        for m, n in zip(before, check.history, strict=True)],
            "median": rules.plain_number(check.median),
            "factor": rules.plain_number(check.factor),
            "threshold": rules.plain_number(check.threshold)}
        findings.append(new_finding(audit, FindingRule.VOLUME_ABOVE_MEDIAN,
                                 f"provider:{provider_id}:{audit.month:%Y-%m}", evidence,
                                 provider_id=provider_id))
    return findings


def caseload_above_ratio(audit: Audit) -> list[Finding]:
    """Care managers of the district's streets looking after more elders on
    the month's last day than the ratio allows (``ratio.care_manager_elders``,
    1 : 50, Art 5; ``caremanagers.rules.ratio_met`` for one manager)."""
    from apps.caremanagers import rules as casework
    from apps.caremanagers.models import CaseAssignment

    day = audit.day
    ratio = int(value_on(CARE_MANAGER_RATIO, day, audit.district))
    rows = (CaseAssignment.objects
            .filter(care_manager__street__parent=audit.district, starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .values("care_manager", "care_manager__name", "care_manager__street__name")
            .annotate(caseload=Count("elder", distinct=True)).order_by("care_manager"))
    findings = []
    for row in rows:
        if casework.ratio_met(row["caseload"], 1, ratio):
            continue
        evidence = {"care_manager": row["care_manager__name"],
                    "street": row["care_manager__street__name"],
                    "caseload": row["caseload"], "ratio": ratio, "on": day.isoformat(),
                    "care_manager_id": row["care_manager"]}
        findings.append(new_finding(audit, FindingRule.CASELOAD_ABOVE_RATIO,
                                 f"care_manager:{row['care_manager']}:{audit.month:%Y-%m}",
                                 evidence))
    return findings


def nurse_ratio_below(audit: Audit) -> list[Finding]:
    """Providers registered in the district with fewer qualified nursing
    staff than their rehabilitation-nursing clients need on the month's last
    day (1 : 10, Art 15): the count of the provider registry
    (``providers.queries``, ``providers.rules.nurse_ratio_flags``)."""
    from apps.providers import rules as registry
    from apps.providers.models import Provider
    from apps.providers.queries import provider_facts, with_rehab_nursing_clients, with_roster

    day = audit.day
    ratio = value_on(NURSE_RATIO, day, audit.district)
    providers = with_roster(with_rehab_nursing_clients(
        Provider.objects.filter(region=audit.district).order_by("pk"), day))
    findings = []
    for provider in providers:
        facts = provider_facts(provider)
        for flag in registry.nurse_ratio_flags(
                nursing_staff=registry.qualified_nursing_staff(facts.staff, day),
                clients=facts.rehab_nursing_clients, clients_per_nurse=ratio):
            evidence = {"provider": provider.name, **flag.params, "on": day.isoformat()}
            findings.append(new_finding(audit, FindingRule.NURSE_RATIO_BELOW,
                                     f"provider:{provider.pk}:{audit.month:%Y-%m}", evidence,
                                     provider_id=provider.pk))
    return findings
