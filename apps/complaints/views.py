"""Complaint screens: the list with its filters, recording a complaint (an
elder and a visit optional), one complaint with its history, correcting it,
taking it up and resolving it. Reads go through ``visible_to``; each write
is one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from apps.audit.services import log_access
from apps.complaints import rules, services
from apps.complaints.forms import (
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintUpdateForm,
    ResolveForm,
    StartHandlingForm,
)
from apps.complaints.models import Complaint, ComplaintStatus
from apps.contracts.forms import ElderSearchForm
from apps.core.forms import add_service_errors
from apps.core.private_search import PrivateSearchMixin
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder

VIEW = "complaints.view_complaint"
HANDLE = "complaints.change_complaint"


class ComplaintMixin(ScopedViewMixin):
    model = Complaint
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("provider", "street", "elder")


class ComplaintListView(ComplaintMixin, ListView):
    template_name = "complaints/complaint_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filters = ComplaintFilterForm(self.request.GET or None, user=self.request.user)
        return self.filters.apply(super().get_queryset(), self.today).order_by(
            "-received_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        for complaint in context["object_list"]:
            complaint.overdue = rules.is_overdue(complaint.status, complaint.due_on, self.today)
        return context


def history(complaint: Complaint) -> list[dict]:
    """The complaint's recorded changes, oldest first: what changed, when
    and by whom (from the change history the database keeps)."""
    events = list(complaint.events.select_related("pgh_context").order_by("pgh_created_at",
                                                                           "pgh_id"))
    user_ids = {(e.pgh_context.metadata or {}).get("user") for e in events if e.pgh_context}
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in=[pk for pk in user_ids if isinstance(pk, int)])}
    rows, previous = [], None
    for event in events:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context else {}
        user = users.get(metadata.get("user"))
        if event.pgh_label == "insert":
            what = _("Recorded")
        elif previous is not None and event.status != previous.status:
            what = ComplaintStatus(event.status).label
        else:
            what = _("Details changed")
        rows.append({"at": event.pgh_created_at, "what": what,
                     "status": ComplaintStatus(event.status).label,
                     "who": (user.get_full_name() or user.username) if user
                     else metadata.get("task", "")})
        previous = event
    return rows


class ComplaintDetailView(ComplaintMixin, DetailView):
    """One complaint with its links, its resolution and its history; the
    complainant's details are on it, so every showing is logged."""

    template_name = "complaints/complaint_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "visit__service_item", "follow_up", "handled_by", "recorded_by")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_access(request=request, obj=self.object)
        return response

    def get_context_data(self, **kwargs):
        complaint = self.object
        is_open = not rules.is_closed(complaint.status)
        can_handle = is_open and self.request.user.has_perm(HANDLE)
        return super().get_context_data(
            history=history(complaint),
            overdue=rules.is_overdue(complaint.status, complaint.due_on, timezone.localdate()),
            can_edit=can_handle,
            can_start=can_handle and rules.allowed_transition(complaint.status,
                                                              ComplaintStatus.INVESTIGATING),
            can_resolve=can_handle,
            **kwargs)


class ComplaintCreateView(PrivateSearchMixin, ScopedViewMixin, FormView):
    """Record a complaint; an elder (found by name) and one of their visits
    may be named."""

    private_fields = ("q",)  # a name: never in a URL (core.private_search)
    model = Complaint
    permission_required = "complaints.add_complaint"
    form_class = ComplaintForm
    template_name = "complaints/complaint_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.elder = None
        if request.user.is_authenticated and request.GET.get("elder"):
            self.elder = get_visible_or_404(Elder, request.user, pk=request.GET["elder"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "elder": self.elder}

    def get_initial(self):
        user = self.request.user
        street = None
        if self.elder is not None:
            street = self.elder.residence_street
        elif user.region is not None and user.region.kind == "street":
            street = user.region
        return {"elder": self.elder, "street": street}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(elder=self.elder, **kwargs)
        search = ElderSearchForm(self.request.GET if "q" in self.request.GET else None)
        elders = []
        if search.is_valid() and search.cleaned_data["q"]:
            elders = (Elder.objects.visible_to(self.request.user)
                      .filter(name__icontains=search.cleaned_data["q"])
                      .select_related("residence_street").order_by("name")[:20])
        context.update(search=search, elders=elders)
        return context

    def form_valid(self, form):
        try:
            complaint = services.record_complaint(by=self.request.user,
                                                  **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Complaint %(ref)s is recorded; the answer is due "
                                         "on %(due)s.")
                         % {"ref": complaint.reference, "due": complaint.due_on})
        return redirect("complaints:complaint_detail", pk=complaint.pk)


class ComplaintFormView(ScopedObjectFormMixin, FormView):
    """A form about one complaint (404 out of scope) calling one service."""

    model = Complaint
    permission_required = HANDLE
    template_name = "complaints/complaint_action.html"
    title = ""
    button = ""
    done = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(complaint=self.object, title=self.title,
                                        button=self.button, **kwargs)

    def call_service(self, data):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.call_service(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect("complaints:complaint_detail", pk=self.object.pk)


class ComplaintUpdateView(ComplaintFormView):
    form_class = ComplaintUpdateForm
    title = _("Correct the complaint")
    button = _("Save")
    done = _("The complaint is updated.")

    def get_initial(self):
        complaint = self.object
        return {"category": complaint.category, "description": complaint.description,
                "complainant_name": complaint.complainant_name,
                "complainant_phone": complaint.complainant_phone or "",
                "provider_response": complaint.provider_response}

    def call_service(self, data):
        services.update_complaint(complaint=self.object, by=self.request.user, **data)


class ComplaintHandleView(ComplaintFormView):
    form_class = StartHandlingForm
    title = _("Take up the complaint")
    button = _("Take it up")
    done = _("The complaint is being handled.")

    def get_initial(self):
        return {"provider_response": self.object.provider_response}

    def call_service(self, data):
        services.start_handling(complaint=self.object, by=self.request.user,
                                provider_response=data["provider_response"])


class ComplaintResolveView(ComplaintFormView):
    form_class = ResolveForm
    title = _("Resolve the complaint")
    button = _("Close the complaint")
    done = _("The complaint is closed.")

    def get_initial(self):
        return {"provider_response": self.object.provider_response,
                "closed_on": timezone.localdate()}

    def call_service(self, data):
        services.resolve(complaint=self.object, by=self.request.user, **data)
