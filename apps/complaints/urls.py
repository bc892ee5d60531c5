from django.urls import path

from apps.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint_list"),
    path("new/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("<int:pk>/edit/", views.ComplaintUpdateView.as_view(), name="complaint_update"),
    path("<int:pk>/handle/", views.ComplaintHandleView.as_view(), name="complaint_handle"),
    path("<int:pk>/resolve/", views.ComplaintResolveView.as_view(), name="complaint_resolve"),
]
