"""Audit findings for the street (its elders) and the district: the list
with its filters and, for district staff, the form that runs the audit of a
month now; one finding with its rule, evidence and amount, the decision
(confirm, or dismiss with a reason), its history and where its amount was
withheld. Every read goes through ``visible_to``; every decision is one
service call, whose refusals become field errors."""

from __future__ import annotations

from celery.result import EagerResult
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView

from apps.audit.services import log_access
from apps.core.forms import add_service_errors
from apps.core.views import ScopedViewMixin
from apps.findings import services
from apps.findings.evidence import evidence_rows, related_visits
from apps.findings.forms import DecisionForm, FindingFilterForm, RunAuditForm
from apps.findings.models import Finding, FindingStatus
from apps.findings.tasks import audit_month_task
from apps.policy.lookup import PolicyValueMissing
from apps.settlement.withholdings import recoveries

VIEW = "findings.view_finding"
DECIDE = "findings.decide_finding"
RUN = "findings.run_audit"
ACTIONS = ("confirm", "dismiss")


def visible_visit_ids(user, evidence: dict) -> set[int]:
    """Of the other visits a finding's evidence names, those the user may
    see (one query)."""
    from apps.visits.models import ServiceVisit

    ids = [v.get("visit_id") for v in evidence.get("other_visits") or ()]
    if not ids:
        return set()
    return set(ServiceVisit.objects.visible_to(user).filter(pk__in=ids)
               .values_list("pk", flat=True))


class FindingMixin(ScopedViewMixin):
    model = Finding
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("district", "provider", "elder", "visit")


class FindingListView(FindingMixin, ListView):
    """The findings the user's jurisdiction sees, open ones first, with
    filters; district staff run the audit of a district and month here."""

    template_name = "findings/finding_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filters = FindingFilterForm(self.request.GET or None, user=self.request.user)
        return self.filters.apply(super().get_queryset()).order_by("status", "-month", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        if self.request.user.has_perm(RUN):
            context.setdefault("run_form", RunAuditForm(user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(RUN):
            raise PermissionDenied
        form = RunAuditForm(request.POST, user=request.user)
        if form.is_valid():
            district, month = form.cleaned_data["district"], form.cleaned_data["month"]
            self.run_audit(district, month)
            return redirect(f"{reverse('findings:finding_list')}?month={month:%Y-%m}")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(run_form=form))

    def run_audit(self, district, month) -> None:
        """Queue the audit (run at once where Celery is eager: development
        and tests, where a missing policy value is reported, not a crash)."""
        params = {"district": district.name, "month": f"{month:%Y-%m}"}
        try:
            result = audit_month_task.delay(district.pk, f"{month:%Y-%m}")
        except PolicyValueMissing as error:
            messages.error(self.request, str(error))
            return
        if isinstance(result, EagerResult):
            total = result.get()["total"]
            messages.success(self.request, ngettext(
                "The audit of %(district)s for %(month)s raised %(count)s new finding.",
                "The audit of %(district)s for %(month)s raised %(count)s new findings.",
                total) % {**params, "count": total})
        else:
            messages.success(self.request, _(
                "The audit of %(district)s for %(month)s is queued; its findings appear "
                "here when it has run.") % params)


def decision_history(finding: Finding) -> list[dict]:
    """The finding's recorded changes, oldest first: raised, then each
    decision, when and by whom (from the change history the database
    keeps; the audit task where no user acted)."""
    events = list(finding.events.select_related("pgh_context").order_by("pgh_created_at",
                                                                         "pgh_id"))
    user_ids = {(e.pgh_context.metadata or {}).get("user") for e in events if e.pgh_context}
    user_ids |= {e.decided_by_id for e in events if e.decided_by_id}
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in=[pk for pk in user_ids if isinstance(pk, int)])}
    rows, previous = [], None
    for event in events:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context else {}
        user = users.get(event.decided_by_id) or users.get(metadata.get("user"))
        if event.pgh_label == "insert":
            key, what = "raised", _("Raised")
        elif previous is not None and event.status != previous.status:
            key, what = event.status, FindingStatus(event.status).label
        else:
            key, what = "changed", _("Details changed")
        rows.append({"key": key, "at": event.pgh_created_at, "what": what,
                     "status": FindingStatus(event.status).label,
                     "reason": event.decision_reason if event.pgh_label != "insert" else "",
                     "who": (user.get_full_name() or user.username) if user
                     else metadata.get("task", "")})
        previous = event
    return rows


class FindingDetailView(FindingMixin, DetailView):
    """One finding: its summary, its evidence laid out, the amount at stake
    and where it was withheld, its history, and the decision forms for
    district staff while it is open."""

    template_name = "findings/finding_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object.elder is not None:
            log_access(request=request, obj=self.object.elder)
        return response

    def may_decide(self) -> bool:
        user = self.request.user
        return (self.object.is_open and user.has_perm(DECIDE)
                and services.may_decide(user, self.object))

    def get_context_data(self, forms=None, **kwargs):
        finding, user = self.object, self.request.user
        evidence = finding.evidence or {}
        forms = forms or {}
        if self.may_decide():
            for action in ACTIONS:
                forms.setdefault(action, DecisionForm(action=action))
        same_visit = (Finding.objects.visible_to(user).filter(visit=finding.visit_id)
                      .exclude(pk=finding.pk).order_by("pk")
                      if finding.visit_id else Finding.objects.none())
        return super().get_context_data(
            evidence=evidence_rows(evidence),
            related_visits=related_visits(evidence, visible_visit_ids(user, evidence)),
            settlement_run_id=evidence.get("settlement_run_id"),
            confirm_form=forms.get("confirm"), dismiss_form=forms.get("dismiss"),
            history=decision_history(finding),
            withholdings=recoveries(finding),
            same_visit=same_visit,
            can_see_runs=user.has_perm("settlement.view_settlementrun"),
            can_see_visits=user.has_perm("visits.view_servicevisit"),
            **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = finding = self.get_object()
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return redirect("findings:finding_detail", pk=finding.pk)
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        form = DecisionForm(request.POST, action=action)
        if form.is_valid():
            decide = services.confirm if action == "confirm" else services.dismiss
            try:
                self.object = decide(finding=finding, user=request.user,
                                     reason=form.cleaned_data["decision_reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The finding is %(status)s.")
                                 % {"status": self.object.get_status_display()})
                return redirect("findings:finding_detail", pk=finding.pk)
        self.object.refresh_from_db()
        return self.render_to_response(self.get_context_data(forms={action: form}))
