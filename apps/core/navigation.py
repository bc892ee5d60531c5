"""The staff menu: one table, each entry shown to users holding its permission.

Later apps add their entries here, so a newcomer finds every screen in one
place and each role sees its own work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    section: str
    label: str
    url_name: str
    permission: str
    description: str = ""


MENU: list[MenuEntry] = [
    MenuEntry(_("Elders"), _("Elder registry"), "elders:elder_list", "elders.view_elder",
              _("Registered elders in your jurisdiction")),
    MenuEntry(_("Elders"), _("Register an elder"), "elders:elder_register", "elders.add_elder",
              _("Identity checked, duplicates refused")),
    MenuEntry(_("Elders"), _("Import elders"), "elders:elder_import", "elders.import_elders",
              _("An existing register from .xlsx or .csv, checked row by row")),
    MenuEntry(_("Applications"), _("Work queue"), "applications:queue",
              "applications.check_application",
              _("Initial checks and returned files, by due date")),
    MenuEntry(_("Applications"), _("Verification queue"), "applications:verification_queue",
              "applications.decide_application", _("Verification and re-review, by due date")),
    MenuEntry(_("Applications"), _("Deadlines"), "applications:deadlines",
              "applications.view_application", _("Overdue and due-soon steps per office")),
    MenuEntry(_("Assessments"), _("My assessments"), "assessments:assignment_list",
              "assessments.conduct_assessment", _("Scheduled assessments, screen by screen")),
    MenuEntry(_("Assessments"), _("Assessment management"), "assessments:office_list",
              "assessments.schedule_assessment",
              _("Request and schedule the district's assessments")),
    MenuEntry(_("Assessments"), _("Assessment fee statements"), "assessments:fee_statement_list",
              "assessments.view_feestatement",
              _("What each district owes the assessment bodies, month by month")),
    MenuEntry(_("Facilities and providers"), _("Facilities"), "facilities:facility_list",
              "facilities.view_facility",
              _("Platforms and community stations with their compliance flags")),
    MenuEntry(_("Facilities and providers"), _("District facility overview"),
              "facilities:overview", "facilities.view_facility",
              _("Facilities and flags per street, and the district platform")),
    MenuEntry(_("Facilities and providers"), _("Service providers"), "providers:provider_list",
              "providers.view_insurancepolicy",
              _("The provider registry with insurance, nurse-ratio and certificate flags")),
    MenuEntry(_("Facilities and providers"), _("My organisation"), "providers:mine",
              "providers.add_staffmember",
              _("Your profile, insurance, staff roster and certificates")),
    MenuEntry(_("Facilities and providers"), _("Contracts"), "contracts:contract_list",
              "contracts.view_contract",
              _("Service contracts, prices against the guide prices, renewals")),
    MenuEntry(_("Facilities and providers"), _("Three-party agreements"),
              "contracts:agreement_list", "contracts.view_careragreement",
              _("Relatives or neighbours serving where no provider covers (Art 31)")),
    MenuEntry(_("Care managers"), _("Care managers"), "caremanagers:manager_list",
              "caremanagers.view_caremanager",
              _("The street's care managers, their caseloads and qualifications")),
    MenuEntry(_("Care managers"), _("Staffing by street"), "caremanagers:street_list",
              "caremanagers.view_caremanager",
              _("Subsidised elders per qualified care manager (1:50), street by street")),
    MenuEntry(_("Plans and agreements"), _("Service plans"), "careplans:plan_list",
              "careplans.view_serviceplan",
              _("Each approved elder's services, frequency, provider and monthly budget")),
    MenuEntry(_("Plans and agreements"), _("Service agreements"), "careplans:agreement_list",
              "careplans.view_serviceagreement",
              _("Agreements between elders and providers; ending and referral (Art 17)")),
    MenuEntry(_("Service visits"), _("My visits today"), "visits:mobile_today",
              "visits.add_servicevisit",
              _("On the phone: check in at the door, check out, submit")),
    MenuEntry(_("Service visits"), _("Service visits"), "visits:visit_list",
              "visits.view_servicevisit",
              _("Verified visits with their versions, flags and monthly statements")),
    MenuEntry(_("Service visits"), _("Refused rows to correct"), "visits:rejected_list",
              "visits.add_servicevisit",
              _("Visits refused with their reasons, to correct and send again")),
    MenuEntry(_("Service visits"), _("Upload visits"), "visits:upload",
              "visits.add_intakebatch",
              _("A spreadsheet of visits (.xlsx, .csv), checked row by row")),
    MenuEntry(_("Service visits"), _("API keys"), "visits:tokens",
              "visits.view_providerapitoken",
              _("Keys for your own system to submit visits through the API")),
    MenuEntry(_("Quality and oversight"), _("Follow-up calls"), "visits:followup_list",
              "visits.view_followup",
              _("Phone follow-ups (回访) of a share of each month's visits")),
    MenuEntry(_("Quality and oversight"), _("Complaints"), "complaints:complaint_list",
              "complaints.view_complaint",
              _("Complaints against providers, tracked to resolution")),
    MenuEntry(_("Quality and oversight"), _("Audit findings"), "findings:finding_list",
              "findings.view_finding",
              _("Services possibly paid but not given, with the evidence and amount")),
    MenuEntry(_("Settlement"), _("Settlement runs"), "settlement:run_list",
              "settlement.view_settlementrun",
              _("The monthly subsidy settlement: review, approval and payment")),
    MenuEntry(_("Settlement"), _("Funding reconciliation"), "settlement:reconciliation",
              "settlement.view_cityadvance",
              _("The city's yearly advance against each district's spending (Art 33)")),
    MenuEntry(_("Service evaluation"), _("Service evaluations"), "evaluations:evaluation_list",
              "evaluations.view_evaluation",
              _("Yearly grades per provider and category: scores, posting, appeals")),
    MenuEntry(_("Service evaluation"), _("Appeals to decide"), "evaluations:appeal_list",
              "evaluations.decide_appeal", _("Re-evaluate appealed results (复评)")),
    MenuEntry(_("Reference"), _("Streets and communities"), "regions:region_list",
              "regions.view_region", _("The district, street and community tree")),
    MenuEntry(_("Reference"), _("Policy values"), "policy:value_list",
              "policy.view_policyvalue", _("Amounts, ratios, deadlines and ages in force")),
    MenuEntry(_("Reference"), _("Working-day calendar"), "workdays:calendar",
              "workdays.view_calendarday", _("Holidays, make-up working days and deadlines")),
    MenuEntry(_("Reference"), _("Service items"), "catalogue:item_list",
              "catalogue.view_serviceitem", _("The service catalogue with guide prices")),
    MenuEntry(_("Administration"), _("Audit trail"), "audit:access_list",
              "audit.view_accesslog", _("Who viewed or exported whose record")),
]


def menu_for(user) -> list[tuple[str, list[dict]]]:
    """Group the entries ``user`` may use by section, in table order."""
    sections: dict[str, list[dict]] = {}
    if not user.is_authenticated:
        return []
    for entry in MENU:
        if user.has_perm(entry.permission):
            sections.setdefault(str(entry.section), []).append(
                {
                    "label": entry.label,
                    "url": reverse(entry.url_name),
                    "description": entry.description,
                }
            )
    return list(sections.items())
