"""The district guidance centre's screens: the district's assessments,
request one for an elder, schedule a body and a team, ask for a second
team (复评) after a disputed result, record a result issued elsewhere.
Every view reads through ``visible_to`` and calls one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from apps.applications.models import Application, Kind
from apps.assessments import services
from apps.assessments.forms import OfficeFilterForm, RecordResultForm, RequestForm, ScheduleForm
from apps.assessments.models import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    GradeBand,
)
from apps.audit.services import log_access
from apps.core.forms import add_service_errors
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder

SCHEDULABLE = (AssessmentStatus.REQUESTED, AssessmentStatus.SCHEDULED)


class OfficeMixin(ScopedViewMixin):
    model = Assessment
    permission_required = ("assessments.view_assessment", "assessments.schedule_assessment")

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "instrument", "body",
                                                     "application")


class AssessmentOfficeListView(OfficeMixin, ListView):
    """The district's assessments, newest first, by status and reason."""

    template_name = "assessments/office/assessment_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filters = OfficeFilterForm(self.request.GET or None)
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
            if data["reason"]:
                queryset = queryset.filter(reason=data["reason"])
        return queryset.order_by("-requested_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = _band_labels({a.instrument_id for a in context["object_list"]})
        for assessment in context["object_list"]:
            assessment.final_label = labels.get(
                (assessment.instrument_id, assessment.final_grade), assessment.final_grade)
        context["filters"] = self.filters
        return context


def _band_labels(instrument_ids) -> dict[tuple[int, str], str]:
    return {(band.instrument_id, band.grade): band.label
            for band in GradeBand.objects.filter(instrument__in=instrument_ids)}


class AssessmentOfficeDetailView(OfficeMixin, DetailView):
    """One assessment: its facts, the schedule form while it is not under
    way, the result once locked, and the second team (复评) if disputed.
    A POST schedules it."""

    template_name = "assessments/office/assessment_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = assessment = self.get_object()
        form = ScheduleForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.schedule_assessment(
                    assessment=assessment, body=data["body"], assessors=list(data["assessors"]),
                    place=data["place"], on=data["scheduled_on"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The assessment is scheduled."))
                return redirect("assessments:office_detail", pk=assessment.pk)
        return self.render_to_response(self.get_context_data(schedule_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment, user = self.object, self.request.user
        schedulable = assessment.status in SCHEDULABLE
        if schedulable:
            context.setdefault("schedule_form", ScheduleForm(user=user, initial={
                "body": assessment.body_id, "place": assessment.place,
                "assessors": list(assessment.assessors.values_list("pk", flat=True)),
                "scheduled_on": assessment.scheduled_on} if assessment.body_id else None))
        visible = Assessment.objects.visible_to(user)
        review = visible.filter(review_of=assessment).first()
        locked = assessment.status == AssessmentStatus.LOCKED
        labels = _band_labels([assessment.instrument_id])
        context.update(
            schedulable=schedulable, locked=locked, review=review,
            review_of=(visible.filter(pk=assessment.review_of_id).first()
                       if assessment.review_of_id else None),
            assessors=assessment.assessors.select_related("body"),
            preliminary=labels.get((assessment.instrument_id, assessment.preliminary_grade), ""),
            final=labels.get((assessment.instrument_id, assessment.final_grade), ""),
            can_review=(locked and not assessment.is_recorded_result
                        and not assessment.review_of_id
                        and not Assessment.objects.filter(review_of=assessment).exists()))
        return context


class AssessmentReviewView(OfficeMixin, SingleObjectMixin, View):
    """A disputed result gets a second team (复评); both results are kept."""

    http_method_names = ["post"]
    permission_required = "assessments.schedule_assessment"

    def post(self, request, *args, **kwargs):
        assessment = self.get_object()
        try:
            review = services.request_review(assessment=assessment)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("assessments:office_detail", pk=assessment.pk)
        messages.success(request, _("A second assessment (复评) is requested."))
        return redirect("assessments:office_detail", pk=review.pk)


class ElderFormMixin(ScopedObjectFormMixin):
    """A form about one elder (``elder_pk``), perhaps for one of their
    applications (``?application=<pk>``); both looked up in scope."""

    model = Elder
    permission_required = "assessments.schedule_assessment"

    def get_object(self, queryset=None):
        return get_visible_or_404(Elder, self.request.user, pk=self.kwargs["elder_pk"])

    def get_application(self):
        pk = self.request.GET.get("application")
        if not pk:
            return None
        return get_visible_or_404(Application, self.request.user, pk=pk, elder=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["application"] = self.get_application()
        return context


class AssessmentRequestView(ElderFormMixin, FormView):
    """Request an assessment of an elder, for an application or not."""

    form_class = RequestForm
    template_name = "assessments/office/request_form.html"

    def get_initial(self):
        application = self.get_application()
        if application is not None and application.kind == Kind.REASSESSMENT:
            return {"reason": AssessmentReason.CHANGE}
        return {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            assessment = services.request_assessment(
                elder=self.object, reason=data["reason"], on=data["requested_on"],
                application=self.get_application())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Assessment %(ref)s requested.")
                         % {"ref": assessment.reference})
        return redirect("assessments:office_detail", pk=assessment.pk)


class RecordResultView(ElderFormMixin, FormView):
    """Record a Barthel total or a long-term-care grade issued elsewhere."""

    form_class = RecordResultForm
    template_name = "assessments/office/record_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            assessment = services.record_result(
                elder=self.object, instrument=data["instrument"],
                assessed_on=data["assessed_on"], issuer=data["issuer"],
                reference=data["reference"], reason=data["reason"], total=data["total"],
                grade=data["grade"], application=self.get_application())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The result %(ref)s is recorded.")
                         % {"ref": assessment.reference})
        return redirect("assessments:office_detail", pk=assessment.pk)
