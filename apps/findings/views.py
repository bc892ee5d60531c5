"""Audit findings for the street (its elders) and the district: the list
with its filters and one finding with its rule, evidence and amount.
Decisions on findings come with the settlement."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from apps.audit.services import log_access
from apps.core.views import ScopedViewMixin
from apps.findings.forms import FindingFilterForm
from apps.findings.models import Finding
from apps.visits.models import CheckMethod

# The evidence a check records, in the order and with the labels to show.
EVIDENCE_LABELS = {
    "visit_id": _("Visit record"),
    "provider_visit_id": _("Provider's visit id"),
    "version": _("Version"),
    "service_date": _("Service date"),
    "service_item": _("Service item"),
    "caregiver": _("Caregiver"),
    "check_in_at": _("Checked in at"),
    "check_in_method": _("Check-in method"),
    "check_out_at": _("Checked out at"),
    "check_out_method": _("Check-out method"),
    "amount": _("Amount"),
    "called_at": _("Called at"),
    "called_by": _("Called by"),
    "note": _("Note of the call"),
}


def _shown(key: str, value):
    """A method code with its label; anything else as recorded."""
    if key.endswith("_method") and value in CheckMethod.values:
        return CheckMethod(value).label
    return value


def evidence_rows(evidence: dict) -> list[tuple[str, object]]:
    """(label, value) pairs: the known keys in order, then any others."""
    rows = [(label, _shown(key, evidence[key])) for key, label in EVIDENCE_LABELS.items()
            if key in evidence]
    rows += [(key, value) for key, value in evidence.items() if key not in EVIDENCE_LABELS]
    return rows


class FindingMixin(ScopedViewMixin):
    model = Finding
    permission_required = "findings.view_finding"

    def get_queryset(self):
        return super().get_queryset().select_related("district", "provider", "elder", "visit")


class FindingListView(FindingMixin, ListView):
    template_name = "findings/finding_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filters = FindingFilterForm(self.request.GET or None, user=self.request.user)
        return self.filters.apply(super().get_queryset()).order_by("status", "-month", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class FindingDetailView(FindingMixin, DetailView):
    template_name = "findings/finding_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object.elder is not None:
            log_access(request=request, obj=self.object.elder)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(evidence=evidence_rows(self.object.evidence or {}),
                                        **kwargs)
