"""Walk every registered URL pattern (HTML, API, admin) as a given user and
report what leaks from a victim street.

Victims: one object of every scoped model, placed in the victim street (or
its district / provider), each carrying a unique marker. A leak is a
response that shows a marker, or a non-404 answer to a URL filled with an
out-of-scope object's key. The walker returns findings instead of asserting,
so a test can also prove it catches a view that forgets the scoping.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.roles import Role
from apps.applications.models import Application, Document, Transition
from apps.assessments.models import Assessment, AssessmentBody, Assessor, FeeStatement
from apps.audit.models import AccessLog
from apps.caremanagers.models import CareManager, CaseAssignment
from apps.careplans.models import AgreementItem, ServiceAgreement, ServicePlan, ServicePlanItem
from apps.contracts.models import (
    CarerAgreement,
    CarerAgreementItem,
    Contract,
    ContractItem,
    ContractRenewal,
    TenderBar,
)
from apps.core.scoping import is_scoped_model
from apps.elders.models import Contact, Elder
from apps.evaluations.models import Evaluation, ProviderGrade
from apps.facilities.models import Facility, FacilityChange, FacilityFunding
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from apps.regions.models import Region
from apps.subsidies.models import Entitlement
from tests.factories import (
    ApplicationFactory,
    AssessmentBodyFactory,
    AssessorFactory,
    DocumentFactory,
    ElderFactory,
    EntitlementFactory,
    ProviderFactory,
    RegionFactory,
    UserFactory,
    staff,
)

KEY_GROUPS = {"pk", "object_id", "id", "date"}
_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


def _marker() -> str:
    return f"LEAK{uuid.uuid4().hex[:10].upper()}"


# How to place one victim of each scoped model in the victim street. A new
# scoped model must add its builder here (a test enforces it).
def _region_victim(world, marker):
    return RegionFactory.community(world.street, name=marker)


def _elder_victim(world, marker):
    return ElderFactory(name=marker, residence_street=world.street, hukou_street=world.street)


def _provider_victim(world, marker):
    return ProviderFactory(name=marker, region=world.district)


def _user_victim(world, marker):
    return staff(Role.STREET_STAFF, region=world.street, first_name=marker)


def _contact_victim(world, marker):
    elder = ElderFactory(residence_street=world.street, hukou_street=world.street)
    return Contact.objects.create(elder=elder, role="agent", name=marker)


def _application_victim(world, marker):
    elder = ElderFactory(name=marker, residence_street=world.street,
                         hukou_street=world.street)
    return ApplicationFactory(elder=elder, notes=marker)


def _transition_victim(world, marker):
    application = _application_victim(world, _marker())
    return application.transitions.create(action="resubmit", from_status="returned",
                                          to_status="received", actor=application.received_by,
                                          effective_on=application.received_on, reason=marker)


def _document_victim(world, marker):
    application = _application_victim(world, _marker())
    return DocumentFactory(application=application, original_name=f"{marker}.pdf")


def _entitlement_victim(world, marker):
    elder = ElderFactory(name=marker, residence_street=world.street,
                         hukou_street=world.street)
    return EntitlementFactory(elder=elder, end_note=marker)


def _body_victim(world, marker):
    return AssessmentBodyFactory(name=marker, districts=[world.district])


def _assessor_victim(world, marker):
    return AssessorFactory(name=marker, body=AssessmentBodyFactory(districts=[world.district]))


def _assessment_victim(world, marker):
    from apps.assessments.services import request_assessment

    elder = ElderFactory(name=marker, residence_street=world.street,
                         hukou_street=world.street)
    return request_assessment(elder=elder, reason="first")


def _fee_statement_victim(world, marker):
    return FeeStatement.objects.create(
        body=AssessmentBodyFactory(name=marker, districts=[world.district]),
        district=world.district, month=date(2025, 9, 1))


def _contract_victim(world, marker):
    from tests.contracts.factories import ContractFactory

    return ContractFactory(reference=marker, purchaser=world.district,
                           provider=ProviderFactory(region=world.district),
                           covered_area=[world.street])


def _contract_item_victim(world, marker):
    # the item shows with its contract, which carries the marker
    return _contract_victim(world, marker).items.first()


def _renewal_victim(world, marker):
    contract = _contract_victim(world, _marker())
    return ContractRenewal.objects.create(contract=contract, year=2, decided_on=date(2026, 12, 1),
                                          decision="continue", grades={"meals": "good"},
                                          note=marker)


def _bar_victim(world, marker):
    return TenderBar.objects.create(provider=ProviderFactory(region=world.district),
                                    starts_on=date(2026, 6, 1), lifts_on=date(2028, 6, 1),
                                    reason=marker)


def _carer_agreement_victim(world, marker):
    from tests.contracts.factories import CarerAgreementFactory

    return CarerAgreementFactory(carer_name=marker, street=world.street,
                                 elder=ElderFactory(residence_street=world.street))


def _carer_item_victim(world, marker):
    return _carer_agreement_victim(world, marker).items.first()


def _insurance_victim(world, marker):
    return InsurancePolicy.objects.create(
        provider=ProviderFactory(region=world.district), kind="premises_liability",
        insurer=marker, policy_number=marker, valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31))


def _staff_member_victim(world, marker):
    return StaffMember.objects.create(provider=ProviderFactory(region=world.district),
                                      name=marker, role="nurse", joined_on=date(2025, 1, 1))


def _certificate_victim(world, marker):
    member = StaffMember.objects.create(provider=ProviderFactory(region=world.district),
                                        name=_marker(), role="nurse",
                                        joined_on=date(2025, 1, 1))
    return Certificate.objects.create(staff=member, kind="nurse_practising", number=marker,
                                      issued_on=date(2024, 1, 1))


def _care_manager_victim(world, marker):
    return CareManager.objects.create(street=world.street, name=marker, since=date(2025, 1, 1))


def _case_assignment_victim(world, marker):
    elder = ElderFactory(name=marker, residence_street=world.street,
                         hukou_street=world.street)
    manager = CareManager.objects.create(street=world.street, name=_marker(),
                                         since=date(2025, 1, 1))
    return CaseAssignment.objects.create(elder=elder, care_manager=manager,
                                         starts_on=date(2025, 6, 1))


def _evaluation_victim(world, marker):
    return Evaluation.objects.create(
        provider=ProviderFactory(name=marker, region=world.district), category="meals",
        year=2025, district=world.district, status="published", total=85, grade="good",
        published_on=date(2026, 6, 1), posting_until=date(2026, 6, 10),
        appeal_until=date(2026, 6, 19))


def _grade_victim(world, marker):
    return ProviderGrade.objects.create(
        provider=ProviderFactory(name=marker, region=world.district), category="meals",
        year=2025, grade="good", effective_from=date(2026, 6, 1))


def _facility_victim(world, marker):
    # run by a provider of the victim's district, so another provider sees none
    return Facility.objects.create(
        name=marker, tier="community_station", region=world.street, address=marker,
        floor_area=120, functions=["meals", "recreation"], run_by="contracted",
        operator=ProviderFactory(region=world.district))


def _facility_funding_victim(world, marker):
    return FacilityFunding.objects.create(facility=_facility_victim(world, _marker()),
                                          year=2026, amount=50000, basis=marker)


def _facility_change_victim(world, marker):
    from apps.facilities.services import record_change

    return record_change(
        facility=_facility_victim(world, _marker()), kind="change_of_use", new_use=marker,
        approving_authority=marker, approval_reference=marker, approved_on=date(2026, 3, 2),
        notice_published_on=date(2026, 3, 5), effective_on=date(2026, 4, 1),
        reported_to_city_on=date(2026, 4, 1),
        by=staff(Role.DISTRICT_STAFF, region=world.district), note=marker,
        on=date(2026, 4, 1))


def _plan_victim(world, marker):
    from tests.careplans.factories import ServicePlanFactory

    return ServicePlanFactory(note=marker, elder=ElderFactory(
        residence_street=world.street, hukou_street=world.street))


def _plan_item_victim(world, marker):
    # the item shows with its plan, which carries the marker
    return _plan_victim(world, marker).items.first()


def _service_agreement_victim(world, marker):
    from tests.careplans.factories import ServiceAgreementFactory

    return ServiceAgreementFactory(reference=marker, elder=ElderFactory(
        residence_street=world.street, hukou_street=world.street))


def _agreement_item_victim(world, marker):
    return _service_agreement_victim(world, marker).items.first()


def _visit_draft_victim(world, marker):
    # a provider's visit under way, of an elder of the victim street (the
    # elder carries the marker: a draft shows only to its provider's staff)
    from django.utils import timezone

    from apps.catalogue.models import ServiceItem
    from apps.visits.models import VisitDraft

    provider = ProviderFactory(region=world.district)
    caregiver = StaffMember.objects.create(provider=provider, name=_marker(), role="caregiver",
                                           joined_on=date(2025, 1, 1))
    return VisitDraft.objects.create(
        provider=provider, provider_visit_id=f"F{uuid.uuid4().hex}", caregiver=caregiver,
        elder=ElderFactory(name=marker, residence_street=world.street,
                           hukou_street=world.street),
        service_item=ServiceItem.objects.get(code="RN-HOME"), check_in_at=timezone.now(),
        check_in_method="card", notes=marker,
        created_by=staff(Role.PROVIDER_STAFF, provider=provider))


def _service_visit_victim(world, marker):
    # an accepted visit of an elder of the victim street, by a provider of its district
    from tests.visits.factories import make_visit
    from tests.visits.factories import world as visit_world

    return make_visit(visit_world(district=world.district, street=world.street), notes=marker)


def _visit_submission_victim(world, marker):
    from apps.visits.models import VisitSubmission

    visit = _service_visit_victim(world, _marker())
    return VisitSubmission.objects.create(
        provider=visit.provider, provider_visit_id=marker, channel="api",
        payload={"provider_visit_id": marker, "notes": marker}, payload_hash="0" * 64,
        outcome="rejected", reasons=[{"code": "invalid", "field": "notes", "message": marker}],
        elder=visit.elder)


def _intake_batch_victim(world, marker):
    from apps.visits.models import IntakeBatch

    return IntakeBatch.objects.create(provider=ProviderFactory(region=world.district),
                                      channel="upload", filename=marker, rows=1, rejected=1)


def _api_token_victim(world, marker):
    from apps.visits.tokens import issue_token

    token, _raw = issue_token(ProviderFactory(region=world.district), marker)
    return token


def _follow_up_victim(world, marker):
    # a call tried once (its note carries the marker) about a visit of an
    # elder of the victim street
    from django.utils import timezone

    from apps.visits.models import FollowUp
    from tests.visits.factories import make_visit
    from tests.visits.factories import world as visit_world

    visit = make_visit(visit_world(district=world.district, street=world.street))
    return FollowUp.objects.create(visit=visit, month=visit.service_date.replace(day=1),
                                   street=world.street, due_on=visit.service_date,
                                   status="unreachable", called_at=timezone.now(), note=marker)


def _finding_victim(world, marker):
    from apps.findings.models import Finding

    return Finding.objects.create(
        rule="followup_not_received", source_key=marker, district=world.district,
        month=date(2025, 9, 1), summary=marker, amount=50,
        provider=ProviderFactory(region=world.district),
        elder=ElderFactory(residence_street=world.street, hukou_street=world.street))


def _complaint_victim(world, marker):
    from apps.complaints.models import Complaint

    return Complaint.objects.create(
        reference=marker, provider=ProviderFactory(region=world.district), street=world.street,
        elder=ElderFactory(residence_street=world.street, hukou_street=world.street),
        received_on=date(2025, 9, 26), source="phone", category="quality",
        description=marker, due_on=date(2025, 10, 23))


def _settlement_run_victim(world, marker, month=date(2025, 9, 1)):
    # a draft run of the victim district, its review note carrying the marker
    from apps.settlement.models import SettlementRun

    return SettlementRun.objects.create(district=world.district, month=month,
                                        review_note=marker)


def _provider_settlement_victim(world, marker):
    # shown with its run (in admin), which carries the marker
    from apps.settlement.models import ProviderSettlement

    run = _settlement_run_victim(world, marker, month=date(2025, 8, 1))
    return ProviderSettlement.objects.create(run=run,
                                             provider=ProviderFactory(region=world.district))


def _settlement_line_victim(world, marker):
    # a line of a visit whose notes carry the marker
    from apps.settlement.models import SettlementLine

    visit = _service_visit_victim(world, marker)
    run = _settlement_run_victim(world, marker, month=date(2025, 7, 1))
    return SettlementLine.objects.create(
        run=run, provider=visit.provider, elder=visit.elder, visit=visit,
        service_month=visit.service_date.replace(day=1), cost=visit.amount,
        covered=visit.amount, subsidy=visit.amount, elder_pays=0, bonus=0)


def _assessment_fee_line_victim(world, marker):
    # a fee line of an issued statement of a body named by the marker
    from apps.settlement.models import AssessmentFeeLine

    body = AssessmentBodyFactory(name=marker)
    statement = FeeStatement.objects.create(body=body, district=world.district,
                                            month=date(2025, 6, 1), status="issued",
                                            district_total=10)
    run = _settlement_run_victim(world, marker, month=date(2025, 6, 1))
    return AssessmentFeeLine.objects.create(run=run, statement=statement, body=body,
                                            month=statement.month, amount=10)


def _withholding_victim(world, marker):
    # the amount of a finding whose summary carries the marker
    from apps.settlement.models import Withholding

    finding = _finding_victim(world, f"{marker}-finding")
    finding.summary = marker
    finding.save(update_fields=["summary"])
    run = _settlement_run_victim(world, marker, month=date(2025, 5, 1))
    return Withholding.objects.create(run=run, provider=finding.provider, finding=finding,
                                      amount=10)


def _settlement_document_victim(world, marker):
    # a district summary of a run whose review note carries the marker
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from apps.settlement.models import SettlementDocument

    run = _settlement_run_victim(world, marker, month=date(2025, 4, 1))
    document = SettlementDocument(run=run, kind="district", sha256="0" * 64,
                                  size=len(marker), run_status="computed",
                                  generated_at=timezone.now())
    document.file.save("victim.pdf", ContentFile(marker.encode()), save=True)
    return document


def _city_advance_victim(world, marker):
    from apps.settlement.models import CityAdvance

    return CityAdvance.objects.create(district=world.district, year=2025, amount=1,
                                      paid_on=date(2025, 1, 2), reference=marker)


def _funding_reconciliation_victim(world, marker):
    from django.utils import timezone

    from apps.settlement.models import FundingReconciliation

    return FundingReconciliation.objects.create(
        district=world.district, year=2024, advance=0, spending=0, city_share=0,
        district_share=0, balance=0, ratios=marker,
        confirmed_by=staff(Role.CITY_STAFF, region=world.district.parent),
        confirmed_at=timezone.now())


def _access_victim(world, marker):
    return AccessLog.objects.create(action="view", object_type="elders.elder", object_id="0",
                                    object_label=marker, region=world.street)


VICTIM_BUILDERS = {
    Region: _region_victim,
    Elder: _elder_victim,
    Provider: _provider_victim,
    apps.get_model("accounts", "User"): _user_victim,
    AccessLog: _access_victim,
    Contact: _contact_victim,
    Application: _application_victim,
    Transition: _transition_victim,
    Document: _document_victim,
    Entitlement: _entitlement_victim,
    AssessmentBody: _body_victim,
    Assessor: _assessor_victim,
    Assessment: _assessment_victim,
    FeeStatement: _fee_statement_victim,
    ProviderGrade: _grade_victim,
    Facility: _facility_victim,
    FacilityFunding: _facility_funding_victim,
    FacilityChange: _facility_change_victim,
    InsurancePolicy: _insurance_victim,
    StaffMember: _staff_member_victim,
    Certificate: _certificate_victim,
    Contract: _contract_victim,
    ContractItem: _contract_item_victim,
    ContractRenewal: _renewal_victim,
    TenderBar: _bar_victim,
    CarerAgreement: _carer_agreement_victim,
    CarerAgreementItem: _carer_item_victim,
    Evaluation: _evaluation_victim,
    CareManager: _care_manager_victim,
    CaseAssignment: _case_assignment_victim,
    apps.get_model("visits", "FollowUp"): _follow_up_victim,
    apps.get_model("settlement", "SettlementRun"): _settlement_run_victim,
    apps.get_model("settlement", "ProviderSettlement"): _provider_settlement_victim,
    apps.get_model("settlement", "SettlementLine"): _settlement_line_victim,
    apps.get_model("findings", "Finding"): _finding_victim,
    apps.get_model("settlement", "AssessmentFeeLine"): _assessment_fee_line_victim,
    apps.get_model("settlement", "Withholding"): _withholding_victim,
    apps.get_model("settlement", "SettlementDocument"): _settlement_document_victim,
    apps.get_model("settlement", "CityAdvance"): _city_advance_victim,
    apps.get_model("settlement", "FundingReconciliation"): _funding_reconciliation_victim,
    apps.get_model("complaints", "Complaint"): _complaint_victim,
    apps.get_model("visits", "VisitDraft"): _visit_draft_victim,
    ServicePlan: _plan_victim,
    ServicePlanItem: _plan_item_victim,
    ServiceAgreement: _service_agreement_victim,
    AgreementItem: _agreement_item_victim,
    apps.get_model("visits", "ServiceVisit"): _service_visit_victim,
    apps.get_model("visits", "VisitSubmission"): _visit_submission_victim,
    apps.get_model("visits", "IntakeBatch"): _intake_batch_victim,
    apps.get_model("visits", "ProviderApiToken"): _api_token_victim,
}


@dataclass
class World:
    district: Region
    street: Region
    sibling: Region
    other_district: Region
    other_street: Region
    victims: dict = field(default_factory=dict)  # model -> (object, marker)

    @property
    def markers(self) -> list[str]:
        return [marker for _obj, marker in self.victims.values()]


def build_world() -> World:
    district = RegionFactory.district()
    other = RegionFactory.district()
    world = World(
        district=district,
        street=RegionFactory.street(district, name=_marker()),
        sibling=RegionFactory.street(district),
        other_district=other,
        other_street=RegionFactory.street(other),
    )
    world.victims[Region] = (world.street, world.street.name)
    for model, builder in VICTIM_BUILDERS.items():
        if model is Region:
            model = "community"
        marker = _marker()
        world.victims[model] = (builder(world, marker), marker)
    return world


def almighty(*, region=None, provider=None):
    """A user holding every permission, admin access, but a jurisdiction."""
    group, _ = Group.objects.get_or_create(name="leak-test-everything")
    group.permissions.set(Permission.objects.all())
    user = UserFactory(region=region, provider=provider, is_staff=True)
    user.groups.add(group)
    return user


def iter_patterns(resolver=None, prefix=""):
    """Yield (regex, callback) for every leaf pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            yield from iter_patterns(entry, regex.replace(r"\Z", "").rstrip("$"))
        elif isinstance(entry, URLPattern):
            yield regex, entry.callback


def model_of(callback):
    """The model a view serves, when the view says so."""
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    # admin views such as a user's password page wrap a bound ModelAdmin method
    inner = callback
    while inner is not None:
        owner = getattr(inner, "__self__", None)
        if hasattr(owner, "model") and hasattr(owner, "admin_site"):
            return owner.model
        inner = getattr(inner, "__wrapped__", None)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        model = getattr(view_class, "model", None)
        queryset = getattr(view_class, "queryset", None)
        return model or getattr(queryset, "model", None)
    return None


def _victim_keys(world, model) -> list[tuple[str, bool]]:
    """Candidate values for a key group, each flagged 'out of scope'."""
    if model is not None and not is_scoped_model(model):
        obj = model._default_manager.order_by("pk").first()
        return [(str(obj.pk), False)] if obj is not None else [("1", False)]
    victims = [obj for key, (obj, _m) in world.victims.items()
               if model is None or key is model or (getattr(obj, "_meta", None)
               and obj._meta.model is model)]
    return [(str(obj.pk), True) for obj in victims]


def concrete_paths(world, regex, callback):
    """Turn a pattern into request paths: (path, out_of_scope_key)."""
    groups = _GROUP.findall(regex)
    model = model_of(callback)
    candidates = [("", False)]
    for name in groups:
        if name in KEY_GROUPS:
            values = _victim_keys(world, model) or [("1", False)]
        elif name == "elder_pk":
            values = _victim_keys(world, Elder)
        elif name == "app_label":
            values = [("elders", False)]
        elif name == "content_type_id":
            values = [(str(ContentType.objects.get_for_model(Elder).pk), False)]
        elif name == "format":
            values = [("json", False)]
        else:
            values = [("1", False)]
        candidates = [(path + "\0" + v, flag or f) for path, flag in candidates
                      for v, f in values]
    results = []
    for filled, flagged in candidates:
        values = iter(filled.split("\0")[1:])
        path = _GROUP.sub(lambda _m, values=values: next(values), regex)
        path = (path.replace(r"\Z", "").replace("$", "").replace("^", "")
                .replace(r"\.", ".").replace(r"\-", "-").replace("/?", "/"))
        if re.search(r"[()\[\]*+?|\\]", path):
            raise AssertionError(f"cannot render URL pattern {regex!r}")
        results.append(("/" + path, flagged))
    return results


@dataclass
class Finding:
    user: str
    path: str
    status: int
    reason: str


def walk(client, world: World, user, label: str) -> tuple[list[Finding], set[str], int]:
    """Request every path as ``user``; return leaks, markers seen, requests."""
    client.force_login(user)
    findings, seen, count = [], set(), 0
    for regex, callback in iter_patterns():
        for path, out_of_scope in concrete_paths(world, regex, callback):
            response = client.get(path)
            count += 1
            if response.status_code == 405:
                response = client.post(path)
                count += 1
                client.force_login(user)  # the POST may have been the logout
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for marker in world.markers:
                if marker in text:
                    seen.add(marker)
                    findings.append(Finding(label, path, response.status_code,
                                            f"shows {marker}"))
            status = response.status_code
            if out_of_scope and status in (301, 302):
                # a redirect that reveals nothing (admin's "<id>/" → "<id>/change/")
                # is fine when its target answers 404
                status = client.get(response["Location"]).status_code
                count += 1
            if out_of_scope and status != 404:
                findings.append(Finding(label, path, response.status_code,
                                        "out-of-scope key not answered 404"))
    return findings, seen, count


def scoped_models() -> list:
    return [m for m in apps.get_models() if is_scoped_model(m)]


def admin_models() -> dict:
    return dict(admin_site._registry)
