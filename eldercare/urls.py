from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from eldercare.api import router

handler404 = "apps.core.api.not_found"

admin.site.site_header = _("Home-based eldercare administration")
admin.site.site_title = _("Eldercare admin")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("elders/", include("apps.elders.urls")),
    path("applications/", include("apps.applications.urls")),
    path("subsidies/", include("apps.subsidies.urls")),
    path("assessments/", include("apps.assessments.urls")),
    path("regions/", include("apps.regions.urls")),
    path("policy/", include("apps.policy.urls")),
    path("calendar/", include("apps.workdays.urls")),
    path("catalogue/", include("apps.catalogue.urls")),
    path("audit/", include("apps.audit.urls")),
    path("facilities/", include("apps.facilities.urls")),
    path("providers/", include("apps.providers.urls")),
    path("contracts/", include("apps.contracts.urls")),
    path("evaluations/", include("apps.evaluations.urls")),
    path("public/evaluations/", include("apps.evaluations.public_urls")),
    path("public/guide-prices/", include("apps.catalogue.public_urls")),
    path("care-managers/", include("apps.caremanagers.urls")),
    path("visits/", include("apps.visits.urls")),
    path("findings/", include("apps.findings.urls")),
    path("complaints/", include("apps.complaints.urls")),
    path("care-plans/", include("apps.careplans.urls")),
    path("settlement/", include("apps.settlement.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
]
