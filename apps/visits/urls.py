from django.urls import path

from apps.visits import followup_views, token_views, upload_views, views

app_name = "visits"
urlpatterns = [
    # the office and the provider: visits, their versions and corrections
    path("", views.VisitListView.as_view(), name="visit_list"),
    path("<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("<int:pk>/photo/", views.VisitPhotoView.as_view(), name="visit_photo"),
    path("<int:pk>/correct/", views.VisitCorrectView.as_view(), name="visit_correct"),
    path("rejected/", views.RejectedListView.as_view(), name="rejected_list"),
    path("rejected/<int:pk>/resubmit/", views.ResubmitView.as_view(), name="resubmit"),
    # the caregiver's phone
    path("today/", views.MyDayView.as_view(), name="mobile_today"),
    path("start/", views.StartVisitView.as_view(), name="mobile_start"),
    path("start/<int:elder_pk>/", views.CheckInView.as_view(), name="mobile_check_in"),
    path("drafts/<int:pk>/", views.DraftView.as_view(), name="mobile_draft"),
    path("drafts/<int:pk>/check-out/", views.CheckOutView.as_view(), name="mobile_check_out"),
    path("drafts/<int:pk>/edit/", views.DraftEditView.as_view(), name="mobile_edit"),
    path("drafts/<int:pk>/submit/", views.SubmitDraftView.as_view(), name="mobile_submit"),
    path("drafts/<int:pk>/discard/", views.DiscardDraftView.as_view(), name="mobile_discard"),
    path("drafts/<int:pk>/photo/", views.DraftPhotoView.as_view(), name="draft_photo"),
    # the elder's monthly statement
    path("statement/<int:elder_pk>/<str:month>/", views.StatementView.as_view(),
         name="statement"),
    path("statement/<int:elder_pk>/<str:month>/pdf/", views.StatementView.as_view(pdf=True),
         name="statement_pdf"),
    # follow-up calls (回访)
    path("follow-ups/", followup_views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/sample/", followup_views.FollowUpSampleView.as_view(),
         name="followup_sample"),
    path("follow-ups/<int:pk>/", followup_views.FollowUpCallView.as_view(),
         name="followup_call"),
    # spreadsheet upload and API keys
    path("upload/", upload_views.VisitUploadView.as_view(), name="upload"),
    path("upload/template.csv", upload_views.VisitUploadTemplateView.as_view(),
         name="upload_template"),
    path("upload/<int:pk>/", upload_views.VisitUploadResultView.as_view(), name="upload_result"),
    path("upload/<int:pk>/errors.csv", upload_views.VisitUploadReportView.as_view(),
         name="upload_report"),
    path("api-keys/", token_views.TokenListView.as_view(), name="tokens"),
    path("api-keys/<int:pk>/revoke/", token_views.TokenRevokeView.as_view(),
         name="token_revoke"),
]
