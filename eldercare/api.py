"""The one API router: every viewset is registered here."""

from rest_framework.routers import DefaultRouter

from apps.applications.api import ApplicationViewSet
from apps.assessments.api import (
    AssessmentBodyViewSet,
    AssessmentViewSet,
    AssessorViewSet,
    FeeStatementViewSet,
)
from apps.catalogue.api import ServiceItemViewSet
from apps.elders.api import ElderViewSet
from apps.policy.api import PolicyValueViewSet
from apps.providers.api import ProviderViewSet
from apps.regions.api import RegionViewSet
from apps.subsidies.api import EntitlementViewSet
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
# issue 5: facilities, provider registry, contracts, evaluations, care managers
