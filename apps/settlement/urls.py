from django.urls import path

from apps.settlement import views

app_name = "settlement"
urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
]
