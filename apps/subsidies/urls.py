from django.urls import path

from apps.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("entitlements/<int:pk>/cancel/", views.EntitlementCancelView.as_view(),
         name="entitlement_cancel"),
]
