"""Roles (DOMAIN.md §1) and what each may do: one readable table.

Each role is a Django group of the same name whose permissions are exactly
the ones listed here. A migration syncs the groups from this table
(``sync_roles``); change the table, then add a migration that calls it.
Which *rows* a role sees is not here: that is the jurisdiction, see
``apps.core.scoping``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_STAFF = "street_staff", _("Street office staff")
    CARE_MANAGER = "care_manager", _("Care manager")
    DISTRICT_STAFF = "district_staff", _("District guidance-centre staff")
    ASSESSOR = "assessor", _("Assessor")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    CITY_STAFF = "city_staff", _("City staff")
    ADMINISTRATOR = "administrator", _("Administrator")


# The level of the region tree a role's jurisdiction sits at.
ROLE_JURISDICTION = {
    Role.STREET_STAFF: "street",
    Role.CARE_MANAGER: "street",
    Role.DISTRICT_STAFF: "district",
    Role.ASSESSOR: "district",
    Role.FINANCE_OFFICER: "district",
    Role.PROVIDER_STAFF: "provider",
    Role.CITY_STAFF: "city",
    Role.ADMINISTRATOR: "city",
}

# Roles that may sign in to Django admin (it is scoped like every screen).
ADMIN_SITE_ROLES = {Role.DISTRICT_STAFF, Role.CITY_STAFF, Role.ADMINISTRATOR}

_REFERENCE_READ = [
    "assessments.view_instrument", "assessments.view_item",
    "regions.view_region",
    "policy.view_policyvalue",
    "workdays.view_calendarday",
    "workdays.view_calendaryear",
    "catalogue.view_serviceitem", "catalogue.view_guideprice",
]


def _perms(app: str, verbs: str, *models: str) -> list[str]:
    """``_perms("facilities", "view add", "facility")`` -> the codenames."""
    return [f"{app}.{verb}_{model}" for model in models for verb in verbs.split()]


# Instrument versions are reference data an administrator adds.
_INSTRUMENT_EDIT = _perms("assessments", "add change", "instrument", "dimension", "item",
                          "option", "gradeband", "careneedmapping")

# Issue 5: facilities, the provider registry, contracts, the evaluation and
# care managers.
_FACILITIES_READ = _perms("facilities", "view", "facility", "facilityfunding",
                          "facilitychange")
_FACILITIES_KEEP = [*_perms("facilities", "view add change", "facility", "facilityfunding"),
                    *_perms("facilities", "view add", "facilitychange")]
_PROVIDER_ROSTER_READ = _perms("providers", "view", "insurancepolicy", "staffmember",
                               "certificate")
_PROVIDER_ROSTER_KEEP = _perms("providers", "view add change", "insurancepolicy",
                               "staffmember", "certificate")
_CONTRACTS_READ = _perms("contracts", "view", "contract", "contractitem", "contractrenewal",
                         "tenderbar")
_EVALUATIONS_READ = _perms("evaluations", "view", "evaluation", "evaluationcriterion",
                           "providergrade")
_CASEWORK_READ = _perms("caremanagers", "view", "caremanager", "caseassignment")

# Issue 6: plans, agreements, visits, follow-ups, complaints, findings.
_PLANS_READ = _perms("careplans", "view", "serviceplan", "serviceplanitem",
                     "serviceagreement", "agreementitem")
_PLANS_KEEP = [*_perms("careplans", "view add change", "serviceplan", "serviceplanitem",
                       "serviceagreement", "agreementitem"),
               "careplans.end_serviceagreement"]
_VISITS_READ = _perms("visits", "view", "servicevisit", "visitsubmission")
_FOLLOW_UPS_CALL = _perms("visits", "view change", "followup")
_COMPLAINTS_KEEP = _perms("complaints", "view add change", "complaint")
_FINDINGS_READ = _perms("findings", "view", "finding")

# Issue 7: settlement runs; district staff review, finance approves and pays.
_SETTLEMENT_READ = _perms("settlement", "view", "settlementrun", "providersettlement",
                          "settlementline", "assessmentfeeline", "withholding",
                          "settlementdocument", "cityadvance", "fundingreconciliation")
# Audit findings: district staff run the audit on demand and decide findings.
_FINDINGS_DECIDE = ["findings.decide_finding", "findings.run_audit"]

_CONTACTS = ["elders.view_contact", "elders.add_contact", "elders.change_contact"]
_APPLICATIONS_READ = [
    "applications.view_application", "applications.view_transition",
    "applications.view_document", "subsidies.view_entitlement",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.STREET_STAFF: [
        *_REFERENCE_READ,
        "elders.view_elder", "elders.add_elder", "elders.change_elder",
        "elders.reveal_identity_number", "elders.import_elders",
        *_CONTACTS,
        *_APPLICATIONS_READ,
        "applications.add_application", "applications.receive_application",
        "applications.check_application", "applications.add_document",
        *_FACILITIES_READ, "providers.view_provider", *_CONTRACTS_READ,
        *_perms("contracts", "view add change", "careragreement"),
        *_CASEWORK_READ,
        *_perms("caremanagers", "add change", "caseassignment"),
        *_PLANS_KEEP, *_VISITS_READ, *_FOLLOW_UPS_CALL, *_COMPLAINTS_KEEP,
        *_FINDINGS_READ,
    ],
    Role.CARE_MANAGER: [
        *_REFERENCE_READ,
        "elders.view_elder", "elders.change_elder",
        *_CONTACTS,
        *_APPLICATIONS_READ,
        "providers.view_provider", *_CASEWORK_READ,
        *_PLANS_KEEP, *_VISITS_READ, *_FOLLOW_UPS_CALL, *_COMPLAINTS_KEEP,
        *_FINDINGS_READ,
    ],
    Role.DISTRICT_STAFF: [
        *_REFERENCE_READ,
        "elders.view_elder", "elders.change_elder", "elders.reveal_identity_number",
        "elders.import_elders",
        *_CONTACTS,
        *_APPLICATIONS_READ,
        "applications.add_application", "applications.receive_application",
        "applications.decide_application", "applications.add_document",
        "subsidies.cancel_entitlement",
        "assessments.view_assessment", "assessments.schedule_assessment",
        "assessments.view_assessmentbody", "assessments.add_assessmentbody",
        "assessments.change_assessmentbody", "assessments.view_assessor",
        "assessments.add_assessor", "assessments.change_assessor",
        "assessments.view_feestatement", "assessments.issue_feestatement",
        "providers.view_provider", "providers.add_provider", "providers.change_provider",
        *_PROVIDER_ROSTER_READ,
        *_FACILITIES_KEEP,
        *_CONTRACTS_READ,
        *_perms("contracts", "view add change", "careragreement"),
        *_perms("contracts", "add change", "contract", "contractitem"),
        "contracts.add_contractrenewal", "contracts.end_contract",
        *_EVALUATIONS_READ,
        *_perms("evaluations", "add change", "evaluation"),
        "evaluations.publish_evaluation",
        *_CASEWORK_READ,
        *_perms("caremanagers", "add change", "caremanager", "caseassignment"),
        "accounts.view_user",
        "regions.add_region", "regions.change_region",
        "audit.view_accesslog",
        *_PLANS_KEEP, *_VISITS_READ, *_FOLLOW_UPS_CALL, *_COMPLAINTS_KEEP,
        *_FINDINGS_READ, "visits.add_followup",
        *_perms("visits", "view add change", "providerapitoken"),
        *_SETTLEMENT_READ, "settlement.review_settlementrun",
        *_FINDINGS_DECIDE,
    ],
    Role.ASSESSOR: [
        *_REFERENCE_READ,
        "elders.view_elder",
        "assessments.view_assessment", "assessments.conduct_assessment",
        "assessments.view_assessor", "assessments.view_assessmentbody",
    ],
    Role.FINANCE_OFFICER: [
        *_REFERENCE_READ,
        "providers.view_provider",
        "assessments.view_feestatement", "assessments.view_assessmentbody",
        "subsidies.view_entitlement",
        *_FACILITIES_READ, *_CONTRACTS_READ, "evaluations.view_providergrade",
        *_PLANS_READ, *_VISITS_READ, *_FINDINGS_READ,
        *_SETTLEMENT_READ, "settlement.add_settlementrun",
        "settlement.approve_settlementrun", "settlement.record_payment_settlementrun",
    ],
    Role.PROVIDER_STAFF: [
        "catalogue.view_serviceitem", "catalogue.view_guideprice",
        "policy.view_policyvalue",
        "providers.view_provider", "providers.change_provider",
        *_PROVIDER_ROSTER_KEEP,
        *_FACILITIES_READ,
        *_CONTRACTS_READ,
        *_EVALUATIONS_READ,
        "evaluations.self_assess_evaluation", "evaluations.appeal_evaluation",
        *_perms("careplans", "view", "serviceagreement", "agreementitem"),
        *_VISITS_READ, "visits.add_servicevisit", *_perms("visits", "view add", "intakebatch"),
        *_perms("visits", "view add change", "providerapitoken"),
    ],
    Role.CITY_STAFF: [
        *_REFERENCE_READ,
        "elders.view_elder",
        *_APPLICATIONS_READ,
        "providers.view_provider",
        "policy.add_policyvalue",
        "workdays.add_calendarday", "workdays.change_calendarday",
        "workdays.add_calendaryear", "workdays.change_calendaryear",
        "audit.view_accesslog",
        *_FACILITIES_READ, *_PROVIDER_ROSTER_READ, *_CONTRACTS_READ, *_EVALUATIONS_READ,
        "contracts.view_careragreement",
        "evaluations.decide_appeal", *_CASEWORK_READ,
        "catalogue.add_guideprice",
        *_perms("evaluations", "add change", "evaluationcriterion"),
        *_PLANS_READ, *_VISITS_READ, "visits.view_followup",
        "complaints.view_complaint", *_FINDINGS_READ,
        *_SETTLEMENT_READ, *_perms("settlement", "add change", "cityadvance"),
    ],
    Role.ADMINISTRATOR: [
        *_REFERENCE_READ,
        "elders.view_elder",
        *_APPLICATIONS_READ,
        "providers.view_provider", "providers.add_provider", "providers.change_provider",
        "accounts.view_user", "accounts.add_user", "accounts.change_user",
        "auth.view_group",
        "regions.add_region", "regions.change_region",
        "policy.add_policyvalue",
        "workdays.add_calendarday", "workdays.change_calendarday",
        "workdays.add_calendaryear", "workdays.change_calendaryear",
        "catalogue.add_serviceitem", "catalogue.change_serviceitem",
        "catalogue.add_guideprice",
        *_INSTRUMENT_EDIT,
        *_FACILITIES_READ, *_PROVIDER_ROSTER_READ, *_CONTRACTS_READ, *_EVALUATIONS_READ,
        "contracts.view_careragreement",
        *_perms("evaluations", "add change", "evaluationcriterion"),
        *_CASEWORK_READ,
        "audit.view_accesslog",
        *_PLANS_READ, *_VISITS_READ, "visits.view_followup",
        "complaints.view_complaint", *_FINDINGS_READ,
        *_SETTLEMENT_READ,
    ],
}


def sync_roles(apps=None, schema_editor=None) -> None:
    """Make each role's group hold exactly the permissions of the table.

    Usable as a migration's RunPython (historical ``apps``) or directly.
    Permissions are created first, since on a fresh database Django would
    only create them after the last migration.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = set(codenames)
        permissions = [
            p for p in Permission.objects.select_related("content_type")
            if f"{p.content_type.app_label}.{p.codename}" in wanted
        ]
        group.permissions.set(permissions)
