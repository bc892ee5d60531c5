from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from apps.applications.documents import attach_document
from apps.applications.models import Application, Document, DocumentKind
from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.views import ScopedViewMixin


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=DocumentKind.choices)
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("PDF, JPEG or PNG."))


class DocumentUploadView(ScopedViewMixin, DetailView):
    """Attach a scan or photo to an application the user can see."""

    model = Application
    permission_required = "applications.add_document"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        application = self.get_object()
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attach_document(application=application, kind=form.cleaned_data["kind"],
                                upload=form.cleaned_data["file"], by=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The document is attached."))
        else:
            for field_errors in form.errors.values():
                for message in field_errors:
                    messages.error(request, message)
        return redirect("applications:application_detail", pk=application.pk)


class DocumentDownloadView(ScopedViewMixin, DetailView):
    """Serve a document only through the scope of its application, logged."""

    model = Document
    permission_required = "applications.view_document"

    def get(self, request, *args, **kwargs):
        document = self.get_object()
        log_access(request=request, obj=document, action=AccessAction.VIEW)
        inline = document.content_type.startswith("image/")
        response = FileResponse(document.file.open("rb"), as_attachment=not inline,
                                filename=f"{document.get_kind_display()}{document.extension}",
                                content_type=document.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response
