from django.urls import path

from apps.elders import import_views, views

app_name = "elders"
urlpatterns = [
    path("", views.ElderListView.as_view(), name="elder_list"),
    path("register/", views.ElderRegisterView.as_view(), name="elder_register"),
    path("import/", import_views.ElderImportView.as_view(), name="elder_import"),
    path("import/confirm/", import_views.ElderImportConfirmView.as_view(),
         name="elder_import_confirm"),
    path("import/errors.csv", import_views.ElderImportReportView.as_view(),
         name="elder_import_report"),
    path("import/template.csv", import_views.ElderImportTemplateView.as_view(),
         name="elder_import_template"),
    path("check-number/", views.CheckNumberView.as_view(), name="check_number"),
    path("streets/", views.StreetSearchView.as_view(), name="street_search"),
    path("<int:pk>/", views.ElderDetailView.as_view(), name="elder_detail"),
    path("<int:pk>/edit/", views.ElderUpdateView.as_view(), name="elder_update"),
    path("<int:pk>/life-status/", views.LifeStatusView.as_view(), name="elder_life_status"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("<int:pk>/reveal/", views.ElderRevealView.as_view(), name="elder_reveal"),
]
