"""The one API router: every viewset is registered here."""

from rest_framework.routers import DefaultRouter

from apps.applications.api import ApplicationViewSet
from apps.assessments.api import (
    AssessmentBodyViewSet,
    AssessmentViewSet,
    AssessorViewSet,
    FeeStatementViewSet,
)
from apps.caremanagers.api import CareManagerViewSet, CaseAssignmentViewSet
from apps.careplans.api import ServiceAgreementViewSet, ServicePlanViewSet
from apps.catalogue.api import GuidePriceViewSet, ServiceItemViewSet
from apps.complaints.api import ComplaintViewSet
from apps.contracts.api import CarerAgreementViewSet, ContractViewSet, TenderBarViewSet
from apps.elders.api import ElderViewSet
from apps.evaluations.api import (
    EvaluationCriterionViewSet,
    EvaluationViewSet,
    ProviderGradeViewSet,
)
from apps.facilities.api import FacilityViewSet
from apps.findings.api import FindingViewSet
from apps.policy.api import PolicyValueViewSet
from apps.providers.api import (
    CertificateViewSet,
    InsurancePolicyViewSet,
    ProviderViewSet,
    StaffMemberViewSet,
)
from apps.regions.api import RegionViewSet
from apps.subsidies.api import EntitlementViewSet
from apps.visits.api import IntakeBatchViewSet, ServiceVisitViewSet, VisitSubmissionViewSet
from apps.workdays.api import CalendarDayViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("policy-values", PolicyValueViewSet)
router.register("calendar-days", CalendarDayViewSet)
router.register("service-items", ServiceItemViewSet)
router.register("providers", ProviderViewSet)
router.register("elders", ElderViewSet)
router.register("applications", ApplicationViewSet)
router.register("entitlements", EntitlementViewSet)
router.register("assessments", AssessmentViewSet)
router.register("assessment-bodies", AssessmentBodyViewSet)
router.register("assessors", AssessorViewSet)
router.register("assessment-fee-statements", FeeStatementViewSet)
router.register("facilities", FacilityViewSet)
router.register("provider-insurance", InsurancePolicyViewSet)
router.register("provider-staff", StaffMemberViewSet)
router.register("provider-certificates", CertificateViewSet)
router.register("contracts", ContractViewSet)
router.register("tender-bars", TenderBarViewSet)
router.register("carer-agreements", CarerAgreementViewSet)
router.register("evaluations", EvaluationViewSet)
router.register("evaluation-criteria", EvaluationCriterionViewSet)
router.register("provider-grades", ProviderGradeViewSet)
router.register("guide-prices", GuidePriceViewSet)
router.register("care-managers", CareManagerViewSet)
router.register("case-assignments", CaseAssignmentViewSet)
router.register("findings", FindingViewSet)
router.register("complaints", ComplaintViewSet)
router.register("service-plans", ServicePlanViewSet)
router.register("service-agreements", ServiceAgreementViewSet)
router.register("visits", ServiceVisitViewSet)
router.register("visit-submissions", VisitSubmissionViewSet)
router.register("intake-batches", IntakeBatchViewSet)
