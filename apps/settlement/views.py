"""Settlement screens for finance officers and district staff: the runs in
the user's jurisdiction with their totals and a form to start (or recompute)
a month, and one run with its timeline, totals, providers and the step the
user may take next. Every read goes through ``visible_to``; every step is
one service call, whose refusals become field errors."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.forms import add_service_errors
from apps.core.views import ScopedViewMixin
from apps.policy.lookup import PolicyValueMissing
from apps.settlement import documents, lifecycle, services
from apps.settlement.forms import (
    ApproveForm,
    PaymentForm,
    ReviewForm,
    RunFilterForm,
    StartRunForm,
)
from apps.settlement.lifecycle import Step
from apps.settlement.models import (
    CLOSED,
    DocumentKind,
    ProviderSettlement,
    SettlementDocument,
    SettlementRun,
)
from apps.settlement.tasks import compute_run_task

VIEW = "settlement.view_settlementrun"
START = "settlement.add_settlementrun"
VIEW_DOCUMENTS = "settlement.view_settlementdocument"

LIST_TOTALS = ("visits", "elders", "cost", "subsidy", "elder_pays", "bonus", "payable",
               "city_share", "district_share")


def _compute(request, run: SettlementRun, message) -> None:
    """Queue the computation (eager in development and tests, where a
    missing policy value is reported at once rather than as a crash)."""
    try:
        compute_run_task.delay(run.pk)
    except PolicyValueMissing as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)


class RunMixin(ScopedViewMixin):
    model = SettlementRun
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("district")


class RunListView(RunMixin, ListView):
    """The runs the user's jurisdiction settles, newest month first, with
    the totals of the rows filtered; finance starts a month here."""

    template_name = "settlement/run_list.html"
    paginate_by = 50

    def get_queryset(self):
        runs = super().get_queryset().order_by("-month", "district__name", "pk")
        self.filter_form = RunFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            if self.filter_form.cleaned_data["month"]:
                runs = runs.filter(month=self.filter_form.cleaned_data["month"])
            if self.filter_form.cleaned_data["status"]:
                runs = runs.filter(status=self.filter_form.cleaned_data["status"])
        return runs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.object_list.order_by()
        totals = queryset.aggregate(runs=Count("pk"),
                                    **{name: Sum(name) for name in LIST_TOTALS})
        for name in LIST_TOTALS:
            if totals[name] is None:
                totals[name] = 0 if name in ("visits", "elders") else Decimal("0.00")
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, totals=totals, query=query.urlencode())
        if self.request.user.has_perm(START):
            context.setdefault("start_form", StartRunForm(user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(START):
            raise PermissionDenied
        form = StartRunForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                run, _created = services.start_run(district=form.cleaned_data["district"],
                                                   month=form.cleaned_data["month"],
                                                   user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if run.is_closed:
                    messages.info(request, _("This month's run is approved: it is not "
                                             "computed again."))
                else:
                    _compute(request, run, _("The run is being computed."))
                return redirect("settlement:run_detail", pk=run.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(start_form=form))


# action -> (the step, the permission, the form)
ACTIONS = {
    "recompute": (Step.COMPUTE, START, None),
    "review": (Step.REVIEW, "settlement.review_settlementrun", ReviewForm),
    "approve": (Step.APPROVE, "settlement.approve_settlementrun", ApproveForm),
    "pay": (Step.PAY, "settlement.record_payment_settlementrun", PaymentForm),
}


class RunDetailView(RunMixin, DetailView):
    """One run: its timeline, totals and providers, and the form of each
    step the run may take that the user may take (none once approved)."""

    template_name = "settlement/run_detail.html"

    def allowed_actions(self) -> dict[str, bool]:
        user, run = self.request.user, self.object
        return {name: lifecycle.allowed(step, run.status) and user.has_perm(permission)
                for name, (step, permission, _form) in ACTIONS.items()}

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        forms = forms or {}
        allowed = self.allowed_actions()
        for name, (_step, _permission, form_class) in ACTIONS.items():
            if allowed[name] and form_class is not None:
                forms.setdefault(name, form_class())
        context.update(
            allowed=allowed,
            review_form=forms.get("review"), approve_form=forms.get("approve"),
            pay_form=forms.get("pay"),
            providers=(ProviderSettlement.objects.visible_to(self.request.user)
                       .filter(run=run).select_related("provider")
                       .order_by("provider__name")),
            timeline=self.timeline(run))
        context.update(self.statements(run))
        return context

    # the district's documents first, then the providers' statements by name
    KIND_ORDER = {DocumentKind.DISTRICT_SUMMARY: 0, DocumentKind.ELDER_DETAIL: 1,
                  DocumentKind.PROVIDER_STATEMENT: 2}

    def statements(self, run: SettlementRun) -> dict:
        """The run's stored statements the user may download, and whether
        finance may render them again (a run not approved, or approved
        without the copies of its approval)."""
        user = self.request.user
        if not user.has_perm(VIEW_DOCUMENTS):
            return {"show_documents": False}
        rows = list(SettlementDocument.objects.visible_to(user).filter(run=run)
                    .select_related("provider"))
        rows.sort(key=lambda d: (self.KIND_ORDER.get(d.kind, 9),
                                 d.provider.name if d.provider_id else "", d.pk))
        kept = any(d.run_status in CLOSED for d in rows)
        return {"show_documents": True, "documents": rows,
                "may_render": (user.has_perm(START) and run.status in documents.RENDERABLE
                               and not kept)}

    @staticmethod
    def timeline(run: SettlementRun) -> list[dict]:
        return [
            {"key": "computed", "label": _("Computed"), "done": run.computed_at is not None,
             "at": run.computed_at, "by": None, "detail": ""},
            {"key": "reviewed", "label": _("Reviewed"), "done": run.reviewed_at is not None,
             "at": run.reviewed_at, "by": run.reviewed_by, "detail": run.review_note},
            {"key": "approved", "label": _("Approved"), "done": run.approved_at is not None,
             "at": run.approved_at, "by": run.approved_by, "detail": ""},
            {"key": "paid", "label": _("Paid"), "done": run.paid_on is not None,
             "at": run.paid_on, "by": None, "detail": run.payment_reference},
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by", "reviewed_by",
                                                     "approved_by")

    def post(self, request, *args, **kwargs):
        self.object = run = self.get_object()
        name = request.POST.get("action", "")
        if name not in ACTIONS:
            return redirect("settlement:run_detail", pk=run.pk)
        step, permission, form_class = ACTIONS[name]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        if not lifecycle.allowed(step, run.status):
            messages.error(request, _("A run that is %(status)s cannot take this step.")
                           % {"status": run.get_status_display()})
            return redirect("settlement:run_detail", pk=run.pk)
        if name == "recompute":
            _compute(request, run, _("The run is being computed again."))
            return redirect("settlement:run_detail", pk=run.pk)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                self.take(name, run, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The run is %(status)s.")
                                 % {"status": self.object.get_status_display()})
                return redirect("settlement:run_detail", pk=run.pk)
        self.object.refresh_from_db()
        return self.render_to_response(self.get_context_data(forms={name: form}))

    def take(self, name: str, run: SettlementRun, data: dict) -> None:
        user = self.request.user
        if name == "review":
            self.object = services.review(run=run, user=user, note=data["review_note"])
        elif name == "approve":
            self.object = services.approve(run=run, user=user)
        else:
            self.object = services.record_payment(
                run=run, paid_on=data["paid_on"], reference=data["payment_reference"],
                user=user)


# --- the stored statements ---------------------------------------------------------


class RenderDocumentsView(RunMixin, SingleObjectMixin, View):
    """Finance renders the statements of a run again (on the ``pdf`` queue);
    the copies made for an approved run are never replaced."""

    permission_required = (VIEW, START)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.get_object()
        if documents.can_render(run):
            documents.queue_rendering(run.pk)
            messages.success(request, _("The statements are being rendered."))
        else:
            messages.error(request, _("The statements of this run cannot be rendered again."))
        return redirect("settlement:run_detail", pk=run.pk)


def content_disposition(ascii_name: str, full_name: str) -> str:
    """An attachment with an ASCII file name for old clients and the full
    (UTF-8) name for the others (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_"
                       for c in ascii_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(full_name, safe='')}"


class DocumentDownloadView(ScopedViewMixin, DetailView):
    """A stored statement, served only within the user's jurisdiction (404
    outside it), never cached, and logged as a read of personal data."""

    model = SettlementDocument
    permission_required = VIEW_DOCUMENTS

    def get_queryset(self):
        return super().get_queryset().select_related("run__district", "provider")

    def get(self, request, *args, **kwargs):
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        content_type = documents.content_type(document)
        log_access(request=request, obj=document, region=document.run.district,
                   action=(AccessAction.PRINT if content_type == documents.PDF_TYPE
                           else AccessAction.EXPORT))
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = content_disposition(
            *documents.download_names(document))
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response
