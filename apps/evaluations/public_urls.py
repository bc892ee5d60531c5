"""Pages open to the public, without login."""

from django.urls import path

from apps.evaluations import views

app_name = "public_evaluations"
urlpatterns = [
    path("<str:code>/", views.PublicGradeListView.as_view(), name="district"),
]
