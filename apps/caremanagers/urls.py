from django.urls import path

from apps.caremanagers import views

app_name = "caremanagers"
urlpatterns = [
    path("", views.CareManagerListView.as_view(), name="manager_list"),
    path("streets/", views.StreetStaffingView.as_view(), name="street_list"),
    path("<int:pk>/", views.CaseloadView.as_view(), name="caseload"),
    path("assign/", views.AssignView.as_view(), name="assign"),
]
