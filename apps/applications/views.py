"""The window and the district desk: start an application, print the
receipt, take each step, decide, record an objection. Every view reads
through ``visible_to`` and calls one service."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, When
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from apps.applications import rules, services
from apps.applications.forms import (
    ApplicationForm,
    DecisionForm,
    ObjectionForm,
    QueueFilterForm,
    StepForm,
)
from apps.applications.models import OPEN_STATUSES, Application, DocumentKind, Kind, Status
from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.forms import add_service_errors
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder
from apps.regions.models import Region
from apps.subsidies import services as subsidies

STREET_ACTIONS = [rules.Action.PASS_INITIAL_CHECK, rules.Action.RETURN_FOR_MATERIALS,
                  rules.Action.RESUBMIT, rules.Action.WITHDRAW]


class ApplicationCreateView(ScopedObjectFormMixin, FormView):
    """Receive an application for one elder at the window."""

    model = Elder
    permission_required = "applications.receive_application"
    form_class = ApplicationForm
    template_name = "applications/application_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "elder": self.object,
                "entrustment_needed": needs_entrustment(self.object)}

    def form_valid(self, form):
        try:
            application = services.receive_application(
                elder=self.object, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Application %(ref)s received.")
                         % {"ref": application.reference})
        return redirect("applications:application_receipt", pk=application.pk)


def needs_entrustment(elder) -> bool:
    """Whether a subsidy for ``elder`` is paid across districts under an
    entrustment agreement (Art 30(2)), so the window asks for its reference."""
    hukou, residence = elder.hukou_street, elder.residence_street
    return rules.route(
        kind=rules.Kind.SUBSIDY, hukou_street=hukou.pk if hukou else None,
        hukou_district=hukou.parent_id if hukou else None,
        residence_street=residence.pk, residence_district=residence.parent_id,
    ).entrustment_required


class ApplicationQuerysetMixin(ScopedViewMixin):
    model = Application
    permission_required = "applications.view_application"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "elder", "receiving_street__parent", "checking_street", "service_street",
            "paying_district", "responsible_office", "received_by", "decided_by", "agent",
            "objection_to")


class ReceiptView(ApplicationQuerysetMixin, DetailView):
    """The printable receipt handed to the applicant, with the next deadline."""

    template_name = "applications/receipt.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_access(request=request, obj=self.object.elder, action=AccessAction.PRINT)
        return response

    def get_context_data(self, **kwargs):
        from apps.applications.models import Material

        context = super().get_context_data(**kwargs)
        labels = dict(Material.choices)
        context["materials"] = [labels.get(code, code) for code in self.object.materials]
        context["case_label"] = rules.CASE_LABELS.get(self.object.route_case, "")
        return context


class ApplicationDetailView(ApplicationQuerysetMixin, DetailView):
    """The file: facts, routing, timeline, and the steps this user may take.

    A POST names its step (``step``): a street action, a decision, a preview
    of the eligibility check, or an objection. Errors come back on the page
    with nothing written.
    """

    template_name = "applications/application_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        handler = {"action": self._act, "decide": self._decide, "preview": self._preview,
                   "object": self._object}.get(request.POST.get("step"))
        if handler is None:
            return redirect("applications:application_detail", pk=self.object.pk)
        return handler()

    def _act(self):
        form = StepForm(self.request.POST)
        if form.is_valid():
            try:
                services.take_action(application=self.object, by=self.request.user,
                                     **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("Recorded."))
                return redirect("applications:application_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(step_form=form))

    def _decide(self):
        form = DecisionForm(self.request.POST)
        if form.is_valid() and not form.cleaned_data["decision"]:
            form.add_error("decision", _("Choose approve or refuse."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decide_application(
                    application=self.object, approve=data["decision"] == "approve",
                    by=self.request.user, reason=data["reason"],
                    care_level=data["care_level"], assessed_on=data["assessed_on"],
                    assessment_reference=data["assessment_reference"], on=data["on"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("The decision is recorded."))
                return redirect("applications:application_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(decision_form=form))

    def _preview(self):
        form = DecisionForm(self.request.POST)
        preview = None
        if form.is_valid() and form.cleaned_data["care_level"]:
            decision = services.preview_decision(
                self.object, care_level=form.cleaned_data["care_level"],
                on=form.cleaned_data["on"])
            preview = subsidies.decision_record(decision)
        elif form.is_valid():
            form.add_error("care_level", _("Choose the care-need level to check eligibility."))
        return self.render_to_response(self.get_context_data(decision_form=form,
                                                             preview=preview))

    def _object(self):
        form = ObjectionForm(self.request.POST)
        if form.is_valid():
            try:
                objection = services.receive_application(
                    elder=self.object.elder, kind=Kind.OBJECTION, by=self.request.user,
                    objection_to=self.object, received_on=form.cleaned_data["received_on"],
                    notes=form.cleaned_data["notes"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("Objection %(ref)s received.")
                                 % {"ref": objection.reference})
                return redirect("applications:application_receipt", pk=objection.pk)
        return self.render_to_response(self.get_context_data(objection_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application, user = self.object, self.request.user
        allowed = application.allowed_actions
        context["street_actions"] = [
            (action.value, step_label(action)) for action in STREET_ACTIONS
            if action.value in allowed
        ] if user.has_perm("applications.check_application") else []
        context["can_decide"] = ("approve" in allowed
                                 and user.has_perm("applications.decide_application"))
        context["can_object"] = (
            application.status in (Status.APPROVED, Status.REFUSED)
            and application.kind != Kind.OBJECTION and not application.objections.exists()
            and user.has_perm("applications.receive_application"))
        context.setdefault("step_form", StepForm())
        context.setdefault("decision_form", DecisionForm(initial={
            "care_level": application.care_level, "assessed_on": application.assessed_on,
            "assessment_reference": application.assessment_reference}))
        context.setdefault("objection_form", ObjectionForm())
        context["transitions"] = application.transitions.select_related("actor")
        context["today"] = timezone.localdate()
        context["case_label"] = rules.CASE_LABELS.get(application.route_case, "")
        context["document_kinds"] = DocumentKind.choices
        context["document_limit"] = filesizeformat(settings.APPLICATION_DOCUMENT_MAX_BYTES)
        return context


def step_label(action: rules.Action) -> str:
    """The button text of a street step."""
    return {
        rules.Action.PASS_INITIAL_CHECK: _("Pass the initial check"),
        rules.Action.RETURN_FOR_MATERIALS: _("Return for missing materials"),
        rules.Action.RESUBMIT: _("Materials resubmitted"),
        rules.Action.WITHDRAW: _("Withdraw"),
    }[action]


class QueueView(ApplicationQuerysetMixin, ListView):
    """Open steps in the user's offices, overdue first, then by due date.

    Street staff see what their street must do; the district's verification
    queue (``district_queue``) holds verification and re-review steps.
    """

    template_name = "applications/queue.html"
    paginate_by = 50
    district_queue = False

    def get_queryset(self):
        offices = Region.objects.visible_to(self.request.user)
        queryset = (super().get_queryset().filter(status__in=OPEN_STATUSES)
                    .filter(responsible_office__in=offices)
                    | super().get_queryset().filter(status=Status.RETURNED))
        self.filters = QueueFilterForm(self.request.GET or None)
        self.filters.fields["status"].choices = [("", _("All open steps"))] + [
            c for c in Status.choices if c[0] in OPEN_STATUSES]
        if self.district_queue:
            queryset = queryset.filter(status__in=[Status.DISTRICT_VERIFICATION,
                                                   Status.RE_REVIEW])
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["overdue"]:
                queryset = queryset.filter(due_date__lt=timezone.localdate())
            if data["received_today"]:
                queryset = queryset.filter(received_on=timezone.localdate())
        return queryset.annotate(no_clock=Case(When(due_date__isnull=True, then=1),
                                               default=0, output_field=IntegerField())
                                 ).order_by("no_clock", "due_date", "received_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["filters"] = self.filters
        context["today"] = today
        context["district_queue"] = self.district_queue
        for application in context["object_list"]:
            application.days_left = (
                (application.due_date - today).days if application.due_date else None)
        return context
