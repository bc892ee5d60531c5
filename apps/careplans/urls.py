from django.urls import path

from apps.careplans import views

app_name = "careplans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("elders/<int:elder_pk>/", views.ElderPlanView.as_view(), name="elder_plan"),
    path("elders/<int:elder_pk>/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("elders/<int:elder_pk>/agreements/new/", views.AgreementSignView.as_view(),
         name="agreement_sign"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/end/", views.AgreementEndView.as_view(), name="agreement_end"),
]
