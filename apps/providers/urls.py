from django.urls import path

from apps.providers import views

app_name = "providers"
urlpatterns = [
    path("", views.ProviderListView.as_view(), name="provider_list"),
    path("new/", views.ProviderCreateView.as_view(), name="provider_create"),
    path("mine/", views.MyOrganisationView.as_view(), name="mine"),
    path("<int:pk>/", views.ProviderDetailView.as_view(), name="provider_detail"),
    path("<int:pk>/edit/", views.ProviderUpdateView.as_view(), name="provider_update"),
    path("<int:pk>/insurance/new/", views.InsuranceCreateView.as_view(),
         name="insurance_create"),
    path("insurance/<int:pk>/edit/", views.InsuranceUpdateView.as_view(),
         name="insurance_update"),
    path("<int:pk>/staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff_update"),
    path("staff/<int:pk>/certificates/new/", views.CertificateCreateView.as_view(),
         name="certificate_create"),
    path("certificates/<int:pk>/edit/", views.CertificateUpdateView.as_view(),
         name="certificate_update"),
]
