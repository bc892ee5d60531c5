from django.urls import path

from apps.assessments import office_views, statement_views, views

app_name = "assessments"
urlpatterns = [
    path("", views.AssignmentListView.as_view(), name="assignment_list"),
    path("<int:pk>/step/<int:step>/", views.AssessmentStepView.as_view(),
         name="assessment_step"),
    path("<int:pk>/answer/", views.AssessmentAnswerView.as_view(), name="assessment_answer"),
    path("<int:pk>/report/", views.AssessmentReportView.as_view(), name="assessment_report"),
    path("<int:pk>/report.pdf", views.AssessmentReportView.as_view(), {"pdf": True},
         name="assessment_report_pdf"),
    path("office/", office_views.AssessmentOfficeListView.as_view(), name="office_list"),
    path("office/<int:pk>/", office_views.AssessmentOfficeDetailView.as_view(),
         name="office_detail"),
    path("office/<int:pk>/review/", office_views.AssessmentReviewView.as_view(),
         name="review"),
    path("office/request/<int:elder_pk>/", office_views.AssessmentRequestView.as_view(),
         name="request"),
    path("office/record/<int:elder_pk>/", office_views.RecordResultView.as_view(),
         name="record_result"),
    path("fees/", statement_views.FeeStatementListView.as_view(), name="fee_statement_list"),
    path("fees/compile/", statement_views.FeeStatementCompileView.as_view(),
         name="fee_statement_compile"),
    path("fees/<int:pk>/", statement_views.FeeStatementDetailView.as_view(),
         name="fee_statement_detail"),
    path("fees/<int:pk>.pdf", statement_views.FeeStatementDetailView.as_view(pdf=True),
         name="fee_statement_pdf"),
    path("fees/<int:pk>/issue/", statement_views.FeeStatementIssueView.as_view(),
         name="fee_statement_issue"),
]
