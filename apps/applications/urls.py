from django.urls import path  # noqa: F401  (filled by the screens)

app_name = "applications"
urlpatterns: list = [
]
