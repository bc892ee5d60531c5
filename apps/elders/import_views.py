"""The import screens: upload → dry-run preview → import (all, or only the
valid rows) → result. The uploaded file waits outside the web root under a
random name, tied to the user's session, and is deleted after the import."""

import uuid
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.audit.middleware import client_address
from apps.audit.models import AccessAction, AccessLog
from apps.elders import importing

SESSION_KEY = "elder_import"
PREVIEW_ERRORS = 200


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Register file"),
                           help_text=gettext_lazy(".xlsx or .csv, first row the column titles."))


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _pending(request):
    """The uploaded file waiting in this session, or None."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    path = _folder() / pending["token"]
    if not path.exists():
        return None
    return pending, path


class ImportPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    # the import right is its own: district staff import a register without
    # registering elders one by one at a window (roles.py)
    permission_required = "elders.import_elders"


class ElderImportView(ImportPermissionMixin, View):
    template_name = "elders/import_upload.html"

    def get(self, request):
        return render(request, self.template_name, {"form": UploadForm()})

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            preview = importing.check_register(content, upload.name, user=request.user)
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
            return render(request, self.template_name, {"form": form})
        old = _pending(request)
        if old:
            old[1].unlink(missing_ok=True)
        token = uuid.uuid4().hex + PurePath(upload.name).suffix.lower()
        (_folder() / token).write_bytes(content)
        request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200]}
        return render(request, "elders/import_preview.html", {
            "preview": preview, "errors": preview.errors[:PREVIEW_ERRORS],
            "name": upload.name, "more": max(0, len(preview.errors) - PREVIEW_ERRORS)})


class ElderImportConfirmView(ImportPermissionMixin, View):
    """Import the waiting file: everything, or only its valid rows."""

    def post(self, request):
        pending = _pending(request)
        if pending is None:
            messages.error(request, _("Upload the file again: the preview has expired."))
            return redirect("elders:elder_import")
        info, path = pending
        valid_only = request.POST.get("mode") == "valid_only"
        result = importing.import_register(path.read_bytes(), info["name"],
                                           user=request.user, valid_only=valid_only)
        if result.preview.errors and not valid_only:
            messages.error(request, _("The file has errors; nothing was imported."))
            return render(request, "elders/import_preview.html", {
                "preview": result.preview, "errors": result.preview.errors[:PREVIEW_ERRORS],
                "name": info["name"],
                "more": max(0, len(result.preview.errors) - PREVIEW_ERRORS)})
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
        AccessLog.objects.create(
            user=request.user, action=AccessAction.LIST,
            object_type="elders.import", object_id=str(result.created),
            object_label=f"{info['name']}: {result.created}"[:200],
            region=request.user.region, ip=client_address(request) or None,
            path=request.path[:300])
        messages.success(request, _("%(created)s elders imported; %(skipped)s rows with "
                                    "errors were left out.")
                         % {"created": result.created, "skipped": result.skipped_rows})
        return redirect("elders:elder_list")


class ElderImportReportView(ImportPermissionMixin, View):
    """Every error of the waiting file as a CSV (identity numbers masked)."""

    def get(self, request):
        pending = _pending(request)
        if pending is None:
            raise Http404
        info, path = pending
        preview = importing.check_register(path.read_bytes(), info["name"], user=request.user)
        response = HttpResponse(importing.error_report_csv(preview.errors),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
        return response


class ElderImportTemplateView(ImportPermissionMixin, View):
    def get(self, request):
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="elder-register-template.csv"'
        return response
