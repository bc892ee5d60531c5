from django.urls import path

from apps.audit import views

app_name = "audit"
urlpatterns = [path("access/", views.AccessLogListView.as_view(), name="access_list")]
