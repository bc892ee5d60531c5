from django.urls import path

from apps.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.FindingListView.as_view(), name="finding_list"),
    path("<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
]
