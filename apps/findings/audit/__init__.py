"""The monthly audit of a district (issue 7 §6; DOMAIN.md §5, §7).

``audit_month(district, month)`` runs every rule for one district and one
month in a transaction and raises what they find as ``Finding`` rows: the
rule, the evidence (the facts that make it explainable, as plain JSON) and
the amount at stake. Each rule is one function over the whole month, set
based: one SQL statement (or a few) whatever the number of visits, never a
query per visit. The district's visits of the month are selected once, into
a temporary table the visit rules read (``Audit.prepare``; the rules run
inside ``audit_month``, which prepares it). A finding names its source (``source_key``), and the
unique ``(rule, source_key)`` keeps it raised once: running the audit again
adds only what is new, and leaves decided findings as they are.

The visits a district audits are the current versions with a service date in
the month, of the elders whose entitlement in force that month (the latest
started, not cancelled: the one the settlement reads) is paid by the
district, or, for an elder with none, who live in it. The findings go to
that district, whose next settlement run withholds the confirmed ones.

The amount at stake of a visit is what the subsidy paid, or would pay, for
it: the subsidy plus the performance subsidy of its settlement line in the
run of its month when there is one, else the visit's amount
(``at_stake_sql``, used by every visit rule). Aggregate findings (a provider's
volume, a care manager's caseload, a provider's nursing staff) put nothing
at stake themselves: their evidence is the counts.

Known limits:

- life statuses are read from the elder's change history (the database
  keeps every version), so a past stay in hospital or a move and return is
  seen for the days it lasted; a death is read from the current record only
  (it is final: a status that left "deceased" was a mistake put right);
- the contract area is the elder's street and community of residence as they
  stand now (as the intake checks them), not as they were on the day;
- a caregiver is one staff member of one provider: the same person on two
  providers' rosters is not recognised as one;
- a care manager's caseload and a provider's nursing staff are counted on the
  month's last day (today for the month under way); the roster's ``active``
  flag is as it stands now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from apps.findings.audit.month import Audit, at_stake_sql
from apps.findings.audit.oversight import (
    caseload_above_ratio,
    followup_not_received,
    nurse_ratio_below,
    volume_above_median,
)
from apps.findings.audit.visits import (
    after_death,
    after_moving_away,
    after_termination,
    barred_or_no_contract,
    beyond_plan,
    caregiver_overlap,
    far_from_address,
    in_hospital_or_institution,
    photo_reused,
    shorter_than_billed,
)
from apps.findings.models import Finding, FindingRule
from apps.regions.models import Region

__all__ = ["RULES", "Audit", "at_stake_sql", "audit_month", "raise_new"]


RULES: dict[str, Callable[[Audit], list[Finding]]] = {
    FindingRule.AFTER_DEATH: after_death,
    FindingRule.AFTER_TERMINATION: after_termination,
    FindingRule.AFTER_MOVING_AWAY: after_moving_away,
    FindingRule.IN_HOSPITAL_OR_INSTITUTION: in_hospital_or_institution,
    FindingRule.CAREGIVER_OVERLAP: caregiver_overlap,
    FindingRule.SHORTER_THAN_BILLED: shorter_than_billed,
    FindingRule.FAR_FROM_ADDRESS: far_from_address,
    FindingRule.PHOTO_REUSED: photo_reused,
    FindingRule.BEYOND_PLAN: beyond_plan,
    FindingRule.BARRED_OR_NO_CONTRACT: barred_or_no_contract,
    FindingRule.FOLLOWUP_NOT_RECEIVED: followup_not_received,
    FindingRule.VOLUME_ABOVE_MEDIAN: volume_above_median,
    FindingRule.CASELOAD_ABOVE_RATIO: caseload_above_ratio,
    FindingRule.NURSE_RATIO_BELOW: nurse_ratio_below,
}


def raise_new(rule: str, findings: list[Finding]) -> int:
    """Insert the findings of ``rule`` not raised before; how many were new.
    A finding raised meanwhile by another path (a follow-up call) is kept
    once by the unique ``(rule, source_key)`` (ON CONFLICT DO NOTHING)."""
    if not findings:
        return 0
    raised = set(Finding.objects.filter(
        rule=rule, source_key__in=[f.source_key for f in findings]).values_list(
        "source_key", flat=True))
    new = [f for f in findings if f.source_key not in raised]
    Finding.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def audit_month(district: Region, month: date, *, today: date | None = None
                ) -> dict[str, int]:
    """Run every rule for ``district`` and ``month``; the new findings per
    rule (0 for a rule that found nothing new). Idempotent: a second run
    adds nothing, and never touches a finding already raised."""
    audit = Audit(district=district, month=month.replace(day=1),
                  today=today or timezone.localdate())
    audit.prepare()
    # The stored summary is in the site's language; pages render their own.
    with translation.override(settings.LANGUAGE_CODE):
        return {rule: raise_new(rule, check(audit)) for rule, check in RULES.items()}
