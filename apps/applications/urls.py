from django.urls import path

from apps.applications import dashboard_views, document_views, views

app_name = "applications"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("verification/", views.QueueView.as_view(district_queue=True),
         name="verification_queue"),
    path("deadlines/", dashboard_views.DeadlinesView.as_view(), name="deadlines"),
    path("new/<int:pk>/", views.ApplicationCreateView.as_view(), name="application_create"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("<int:pk>/receipt/", views.ReceiptView.as_view(), name="application_receipt"),
    path("<int:pk>/documents/", document_views.DocumentUploadView.as_view(),
         name="document_upload"),
    path("documents/<int:pk>/", document_views.DocumentDownloadView.as_view(),
         name="document_download"),
]
