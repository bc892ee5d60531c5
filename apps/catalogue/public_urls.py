"""Public pages of the catalogue: no login, no personal data."""

from django.urls import path

from apps.catalogue import views

app_name = "catalogue_public"
urlpatterns = [path("", views.PublicGuidePriceView.as_view(), name="guide_prices")]
