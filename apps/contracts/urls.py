from django.urls import path

from apps.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_update"),
    path("<int:pk>/end/", views.ContractEndView.as_view(), name="contract_end"),
    path("<int:pk>/renew/", views.ContractRenewView.as_view(), name="contract_renew"),
    path("bars/", views.TenderBarListView.as_view(), name="bar_list"),
    path("agreements/", views.CarerAgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/<int:elder_pk>/", views.CarerAgreementCreateView.as_view(),
         name="agreement_create"),
    path("agreements/<int:pk>/", views.CarerAgreementDetailView.as_view(),
         name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.CarerAgreementUpdateView.as_view(),
         name="agreement_update"),
]
