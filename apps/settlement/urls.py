from django.urls import path

from apps.settlement import reconciliation_views, views

app_name = "settlement"
urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
]

# The yearly funding reconciliation (Art 33).
urlpatterns += [
    path("reconciliation/", reconciliation_views.ReportView.as_view(), name="reconciliation"),
    path("reconciliation/xlsx/", reconciliation_views.ExportView.as_view(),
         name="reconciliation_xlsx"),
    path("reconciliation/advance/", reconciliation_views.AdvanceView.as_view(),
         name="reconciliation_advance"),
    path("reconciliation/<int:year>/<int:pk>/", reconciliation_views.DistrictYearView.as_view(),
         name="reconciliation_district"),
]

# The stored statements of a run (issue 7 §5).
urlpatterns += [
    path("<int:pk>/render/", views.RenderDocumentsView.as_view(), name="render_documents"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document_download"),
]
