from django.urls import path

from apps.elders import views

app_name = "elders"
urlpatterns = [
    path("", views.ElderListView.as_view(), name="elder_list"),
    path("register/", views.ElderRegisterView.as_view(), name="elder_register"),
    path("check-number/", views.CheckNumberView.as_view(), name="check_number"),
    path("streets/", views.StreetSearchView.as_view(), name="street_search"),
    path("<int:pk>/", views.ElderDetailView.as_view(), name="elder_detail"),
    path("<int:pk>/edit/", views.ElderUpdateView.as_view(), name="elder_update"),
    path("<int:pk>/life-status/", views.LifeStatusView.as_view(), name="elder_life_status"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("<int:pk>/reveal/", views.ElderRevealView.as_view(), name="elder_reveal"),
]
