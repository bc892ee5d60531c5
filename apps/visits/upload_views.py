"""The provider's spreadsheet upload: upload → every row submitted → the
result page (per-row outcome and reasons), the error report (.csv) and the
column template."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from apps.core.scoping import get_visible_or_404
from apps.core.spreadsheets import MAX_BYTES, ImportFileError
from apps.visits import uploading
from apps.visits.models import Channel, IntakeBatch

SHOWN_ROWS = 1000


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Visits file"),
        help_text=_(".xlsx or .csv, at most 20 MB, first row the column titles. Times as "
                    "YYYY-MM-DD HH:MM (Beijing time); keep the identity-number column as "
                    "text."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="too_large")
        return upload


class UploadPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = ("visits.add_intakebatch", "visits.add_servicevisit")


class VisitUploadView(UploadPermissionMixin, View):
    template_name = "visits/upload.html"

    def _render(self, request, form):
        recent = IntakeBatch.objects.visible_to(request.user).filter(
            channel=Channel.UPLOAD).order_by("-received_at", "-pk")[:10]
        return render(request, self.template_name, {"form": form, "recent": recent})

    def get(self, request):
        return self._render(request, UploadForm())

    def post(self, request):
        provider = request.user.provider
        if provider is None:
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        upload = form.cleaned_data["file"]
        try:
            result = uploading.upload_visits(upload.read(), upload.name, provider=provider,
                                             user=request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self._render(request, form)
        return redirect("visits:upload_result", pk=result.batch.pk)


class _UploadBatchMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "visits.view_intakebatch"
    model = IntakeBatch

    def get_batch(self):
        return get_visible_or_404(IntakeBatch.objects.filter(channel=Channel.UPLOAD),
                                  self.request.user, pk=self.kwargs["pk"])


class VisitUploadResultView(_UploadBatchMixin, View):
    def get(self, request, pk):
        batch = self.get_batch()
        result = uploading.load_results(batch)
        show_all = request.GET.get("show") == "all"
        rows = [row for row in result.rows if show_all or row.outcome == "rejected"]
        shown = [{
            "row": row.row, "provider_visit_id": row.provider_visit_id,
            "outcome": row.outcome, "unchanged": row.unchanged, "visit_id": row.visit_id,
            "reasons": [uploading.describe(reason, result.columns) for reason in row.reasons],
            "flags": [uploading.flag_label(flag) for flag in row.flags],
        } for row in rows[:SHOWN_ROWS]]
        return render(request, "visits/upload_result.html", {
            "batch": batch, "rows": shown, "more": max(0, len(rows) - SHOWN_ROWS),
            "show_all": show_all, "unknown_columns": result.unknown_columns})


class VisitUploadReportView(_UploadBatchMixin, View):
    """The rejected rows of an upload with their reasons, as CSV."""

    def get(self, request, pk):
        batch = self.get_batch()
        response = HttpResponse(uploading.error_report_csv(uploading.load_results(batch)),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="visit-upload-{batch.pk}-errors.csv"')
        return response


class VisitUploadTemplateView(UploadPermissionMixin, View):
    def get(self, request):
        response = HttpResponse(uploading.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="visit-upload-template.csv"'
        return response
