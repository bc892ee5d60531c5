from django.urls import path

from apps.elders import views

app_name = "elders"
urlpatterns = [
    path("", views.ElderListView.as_view(), name="elder_list"),
    path("<int:pk>/", views.ElderDetailView.as_view(), name="elder_detail"),
    path("<int:pk>/reveal/", views.ElderRevealView.as_view(), name="elder_reveal"),
]
