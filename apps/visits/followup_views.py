"""Follow-up calls (回访) on the staff screens: the street's queue, the call
page (the visit, the elder's phone — shown only here, and logged — and the
outcome form), the district's overview per street and provider, and
"sample now" for a month."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Case, Count, IntegerField, Q, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView

from apps.audit.services import log_access
from apps.complaints.models import Complaint, ComplaintCategory
from apps.core.forms import MonthField, PastMonthForm, add_service_errors
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.findings.models import Finding, FindingRule
from apps.regions.models import Region, RegionKind
from apps.visits.followups import finding_source_key, record_follow_up, sample_month
from apps.visits.models import FollowUp, FollowUpOutcome, FollowUpStatus

VIEW = "visits.view_followup"
CALL = "visits.change_followup"
UNREACHABLE = "unreachable"
STATUS_ORDER = Case(When(status=FollowUpStatus.PENDING, then=Value(0)),
                    When(status=FollowUpStatus.UNREACHABLE, then=Value(1)),
                    default=Value(2), output_field=IntegerField())


def _not_closed():
    return ~Q(status=FollowUpStatus.DONE)


class FollowUpFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *FollowUpStatus.choices])
    street = forms.ModelChoiceField(label=_("Street office"), required=False,
                                    queryset=Region.objects.none(),
                                    empty_label=_("All streets"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        streets = (Region.objects.visible_to(user).filter(kind=RegionKind.STREET)
                   .order_by("path"))
        if user is not None and user.region is not None and user.region.kind == \
                RegionKind.STREET:
            del self.fields["street"]
        else:
            self.fields["street"].queryset = streets

    def apply(self, queryset, today):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("month"):
            queryset = queryset.filter(month=data["month"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("street"):
            queryset = queryset.filter(street=data["street"])
        if data.get("overdue"):
            queryset = queryset.filter(_not_closed(), due_on__lt=today)
        return queryset


class SampleForm(PastMonthForm):
    id_prefix = "sample"
    future_message = _("A month still to come cannot be sampled.")


def _district_of_user(user):
    region = getattr(user, "region", None)
    return region if region is not None and region.kind == RegionKind.DISTRICT else None


class FollowUpListView(ScopedViewMixin, ListView):
    """The street's queue (pending first, by due date, overdue marked); for
    a district, every street's calls with counts per street and the
    satisfaction average per provider."""

    model = FollowUp
    permission_required = VIEW
    template_name = "visits/followup_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filters = FollowUpFilterForm(self.request.GET or None, user=self.request.user)
        self.filtered = self.filters.apply(super().get_queryset(), self.today)
        return (self.filtered.select_related("visit__elder", "visit__provider",
                                             "visit__service_item", "street")
                .annotate(status_order=STATUS_ORDER)
                .order_by("status_order", "due_on", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        for follow_up in context["object_list"]:
            follow_up.overdue = (follow_up.status != FollowUpStatus.DONE
                                 and follow_up.due_on is not None
                                 and follow_up.due_on < self.today)
        user = self.request.user
        is_street = user.region is not None and user.region.kind == RegionKind.STREET
        if not is_street:
            overdue = Q(_not_closed(), due_on__lt=self.today)
            context["per_street"] = (
                self.filtered.values("street__name").order_by("street__path").annotate(
                    total=Count("pk"),
                    pending=Count("pk", filter=Q(status=FollowUpStatus.PENDING)),
                    unreachable=Count("pk", filter=Q(status=FollowUpStatus.UNREACHABLE)),
                    done=Count("pk", filter=Q(status=FollowUpStatus.DONE)),
                    overdue=Count("pk", filter=overdue)))
            context["per_provider"] = (
                self.filtered.filter(status=FollowUpStatus.DONE)
                .values("visit__provider__name").order_by("visit__provider__name").annotate(
                    calls=Count("pk"), satisfaction=Avg("satisfaction"),
                    not_received=Count("pk", filter=Q(outcome=FollowUpOutcome.NOT_RECEIVED)),
                    complaints=Count("pk", filter=Q(outcome=FollowUpOutcome.COMPLAINT))))
        if user.has_perm("visits.add_followup") and _district_of_user(user) is not None:
            from apps.subsidies.rules import previous_month_start

            context["sample_form"] = SampleForm(
                initial={"month": previous_month_start(self.today)})
        return context


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the call found"), widget=forms.RadioSelect,
        choices=[*FollowUpOutcome.choices, (UNREACHABLE, _("Could not be reached"))])
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"), required=False, widget=forms.RadioSelect,
        coerce=int, empty_value=None, choices=[(n, str(n)) for n in range(1, 6)],
        help_text=_("5 is very satisfied. Asked when the service was received, fully or "
                    "in part."))
    complaint_category = forms.ChoiceField(
        label=_("Category of the complaint"), required=False,
        choices=[("", "—"), *ComplaintCategory.choices],
        help_text=_("Only for a complaint: it opens a complaint against the provider."))
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    called_at = forms.DateTimeField(
        label=_("Called at"), initial=timezone.now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        unreachable = data["outcome"] == UNREACHABLE
        return {"outcome": "" if unreachable else data["outcome"],
                "satisfaction": None if unreachable else data.get("satisfaction"),
                "note": data.get("note", ""), "called_at": data["called_at"],
                "unreachable": unreachable,
                "complaint_category": data.get("complaint_category") or "other"}


class FollowUpCallView(ScopedObjectFormMixin, FormView):
    """One call: the visit, the elder's name and, for staff who make the
    calls, the phones (each showing is logged), and the outcome form while
    the call is not done."""

    model = FollowUp
    permission_required = VIEW
    form_class = CallForm
    template_name = "visits/followup_call.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "visit__elder", "visit__provider", "visit__service_item", "visit__caregiver",
            "street", "called_by")

    def get_initial(self):
        return {"called_at": timezone.localtime().replace(second=0, microsecond=0)}

    def can_record(self) -> bool:
        return (self.object.status != FollowUpStatus.DONE
                and self.request.user.has_perm(CALL))

    def get_context_data(self, **kwargs):
        visit = self.object.visit
        user = self.request.user
        # the phones are for the caller: staff who may only read calls see none
        show_phones = user.has_perm(CALL)
        context = super().get_context_data(follow_up=self.object, visit=visit,
                                           elder=visit.elder, can_record=self.can_record(),
                                           show_phones=show_phones, **kwargs)
        # phones are stored encrypted: pick the contacts with one here
        context["contacts"] = ([c for c in visit.elder.contacts.all() if c.phone]
                               if show_phones else [])
        context["complaint"] = (Complaint.objects.visible_to(user)
                                .filter(follow_up=self.object).first())
        context["finding"] = (Finding.objects.visible_to(user)
                              .filter(rule=FindingRule.FOLLOWUP_NOT_RECEIVED,
                                      source_key=finding_source_key(self.object)).first())
        return context

    def render_to_response(self, context, **response_kwargs):
        # the elder's name (and phone) are on this page: every showing is logged
        log_access(request=self.request, obj=self.object.visit.elder)
        return super().render_to_response(context, **response_kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CALL):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = record_follow_up(follow_up=self.object, user=self.request.user,
                                      **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The follow-up call is recorded."))
        if result.finding is not None:
            messages.warning(self.request,
                             _("An audit finding was raised: the service was not received."))
        if result.complaint is not None:
            messages.info(self.request, _("Complaint %(ref)s was opened.")
                          % {"ref": result.complaint.reference})
        return redirect("visits:followup_call", pk=self.object.pk)


class FollowUpSampleView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """District staff: assign the calls of a month now (tops up to the share)."""

    permission_required = "visits.add_followup"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        district = _district_of_user(request.user)
        if district is None:
            raise PermissionDenied
        form = SampleForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("month", []):
                messages.error(request, error)
            return redirect("visits:followup_list")
        month = form.cleaned_data["month"]
        created = sample_month(district, month)
        messages.success(request, _("%(count)s follow-up calls were assigned for %(month)s.")
                         % {"count": created, "month": f"{month:%Y-%m}"})
        return redirect(f"{reverse('visits:followup_list')}?month={month:%Y-%m}")
