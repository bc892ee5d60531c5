from django.urls import path

from apps.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.ServiceItemListView.as_view(), name="item_list"),
    path("<int:pk>/prices/", views.GuidePriceHistoryView.as_view(), name="price_history"),
]
