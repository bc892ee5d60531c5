from django.urls import path

from apps.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.EvaluationListView.as_view(), name="evaluation_list"),
    path("new/", views.EvaluationOpenView.as_view(), name="evaluation_open"),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("<int:pk>/scores/", views.ScoreSheetView.as_view(), name="evaluation_scores"),
    path("<int:pk>/publish/", views.PublishView.as_view(), name="evaluation_publish"),
    path("<int:pk>/self-assessment/", views.SelfAssessmentView.as_view(),
         name="evaluation_self_assessment"),
    path("<int:pk>/appeal/", views.AppealView.as_view(), name="evaluation_appeal"),
    path("<int:pk>/decision/", views.DecisionView.as_view(), name="evaluation_decision"),
    path("<int:pk>/rectification/", views.RectificationView.as_view(),
         name="evaluation_rectification"),
    path("<int:pk>/recheck/", views.RecheckView.as_view(), name="evaluation_recheck"),
]
