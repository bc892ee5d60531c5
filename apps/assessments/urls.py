from django.urls import path

from apps.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.AssignmentListView.as_view(), name="assignment_list"),
    path("<int:pk>/step/<int:step>/", views.AssessmentStepView.as_view(),
         name="assessment_step"),
    path("<int:pk>/answer/", views.AssessmentAnswerView.as_view(), name="assessment_answer"),
    path("<int:pk>/report/", views.AssessmentReportView.as_view(), name="assessment_report"),
    path("<int:pk>/report.pdf", views.AssessmentReportView.as_view(), {"pdf": True},
         name="assessment_report_pdf"),
]
