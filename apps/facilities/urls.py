from django.urls import path

from apps.facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.FacilityListView.as_view(), name="facility_list"),
    path("new/", views.FacilityCreateView.as_view(), name="facility_create"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("<int:pk>/", views.FacilityDetailView.as_view(), name="facility_detail"),
    path("<int:pk>/edit/", views.FacilityUpdateView.as_view(), name="facility_update"),
    path("<int:pk>/funding/", views.FacilityFundingView.as_view(), name="facility_funding"),
    path("<int:pk>/change/", views.FacilityChangeView.as_view(), name="facility_change"),
]
