"""The assessor's screens, for a tablet in the elder's home: one dimension
per screen, each step saved as it is left, then the findings, the server's
score, the signatures; and the Appendix C report as a page and a PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from apps.assessments import services
from apps.assessments.models import Assessment, AssessmentStatus, Instrument
from apps.assessments.standards import RISK_EVENTS
from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.pdf import render_pdf
from apps.core.views import ScopedViewMixin

OPEN = [AssessmentStatus.SCHEDULED, AssessmentStatus.IN_PROGRESS, AssessmentStatus.SCORED]


class AssessmentMixin(ScopedViewMixin):
    model = Assessment

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "instrument", "body",
                                                     "application")


class ConductMixin(AssessmentMixin):
    """The assessor's screens: only assessments the account is on the team of."""

    permission_required = "assessments.conduct_assessment"

    def get_queryset(self):
        return Assessment.objects.conductable_by(self.request.user).select_related(
            "elder", "instrument", "body", "application")


class AssignmentListView(ConductMixin, ListView):
    """The assessments waiting to be done or finished, by date."""

    template_name = "assessments/assignment_list.html"

    def get_queryset(self):
        return super().get_queryset().filter(status__in=OPEN).order_by("scheduled_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engines = {}
        for assessment in context["object_list"]:
            if assessment.instrument_id not in engines:
                engines[assessment.instrument_id] = _instrument(assessment)
            assessment.resume_at = resume_step(engines[assessment.instrument_id], assessment)
        return context


def resume_step(instrument, assessment) -> int:
    """The screen to resume on: the first dimension with an item not yet
    answered, else the findings, else (once scored) the signatures."""
    for number, dimension in enumerate(instrument.dimensions, start=1):
        if any(item.code not in assessment.answers for item in instrument.items
               if item.dimension == dimension.code):
            return number
    findings = len(instrument.dimensions) + 1
    return findings + 1 if assessment.status == AssessmentStatus.SCORED else findings


def _instrument(assessment):
    return Instrument.objects.with_parts().get(pk=assessment.instrument_id).as_scoring()


class AssessmentStepView(ConductMixin, DetailView):
    """One screen of the form: a dimension's items, or the findings, or the
    score and signatures. Leaving a screen saves it."""

    template_name = "assessments/assessment_step.html"

    def steps(self, instrument):
        return [*instrument.dimensions, "findings", "sign"]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = assessment = self.get_object()
        instrument = _instrument(assessment)
        steps = self.steps(instrument)
        step = self._step(steps)
        try:
            if step == "sign":
                if assessment.status != AssessmentStatus.SCORED:
                    services.score_assessment(assessment=assessment)
                services.sign_assessment(
                    assessment=assessment, informant_name=request.POST.get("informant_name", ""),
                    informant_relationship=request.POST.get("informant_relationship", ""))
                messages.success(request, _("The assessment is signed and locked."))
                return redirect("assessments:assessment_report", pk=assessment.pk)
            if step == "findings":
                events = {code: int(request.POST.get(f"event_{code}") or 0)
                          for code, _label in RISK_EVENTS}
                services.save_answers(assessment=assessment, answers={},
                                      coma=request.POST.get("coma") == "on",
                                      mental_diagnosis=request.POST.get("mental") == "on",
                                      risk_events=events)
                services.score_assessment(assessment=assessment)
            else:
                answers = {item.code: request.POST[item.code] for item in instrument.items
                           if item.dimension == step.code and request.POST.get(item.code)}
                services.save_answers(assessment=assessment, answers=answers)
        except (ValidationError, ValueError) as error:
            errors = getattr(error, "message_dict", None) or {
                "__all__": getattr(error, "messages", [str(error)])}
            return self.render_to_response(self.get_context_data(errors=errors))
        return redirect("assessments:assessment_step", pk=assessment.pk,
                        step=self.kwargs["step"] + 1)

    def _step(self, steps):
        number = self.kwargs["step"]
        if not 1 <= number <= len(steps):
            raise Http404
        return steps[number - 1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = self.object
        instrument = _instrument(assessment)
        steps = self.steps(instrument)
        step = self._step(steps)
        answered = sum(1 for item in instrument.items if item.code in assessment.answers)
        context.update(
            step=step, number=self.kwargs["step"], count=len(steps),
            answered=answered,
            answered_html=format_html('<span id="answered-count">{}</span>',
                                      answered), total_items=len(instrument.items),
            items=[item for item in instrument.items
                   if not isinstance(step, str) and item.dimension == step.code],
            events=[(code, label, assessment.risk_events.get(code, 0))
                    for code, label in RISK_EVENTS],
            band_labels={band.grade: band.label for band in instrument.bands},
            dimension_labels={d.code: d.label for d in instrument.dimensions},
            errors=kwargs.get("errors", {}))
        return context


class AssessmentAnswerView(ConductMixin, SingleObjectMixin, View):
    """One answer saved the moment it is tapped, so a dropped connection in
    the elder's home loses nothing (the page's script keeps an answer the
    server has not confirmed and sends it again when the line is back)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assessment = self.get_object()
        item, option = request.POST.get("item", ""), request.POST.get("option", "")
        try:
            assessment = services.save_answers(assessment=assessment, answers={item: option})
        except ValidationError as error:
            return JsonResponse({"errors": getattr(error, "message_dict", None)
                                 or {"__all__": error.messages}}, status=400)
        instrument = _instrument(assessment)
        return JsonResponse({
            "item": item, "option": option,
            "answered": sum(1 for i in instrument.items if i.code in assessment.answers),
            "total_items": len(instrument.items)})


class AssessmentReportView(AssessmentMixin, DetailView):
    """The Appendix C report: dimension scores, preliminary grade, reasons
    for a change, final grade and signatures; ``?format=pdf`` for the PDF."""

    permission_required = "assessments.view_assessment"
    template_name = "assessments/assessment_report.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder, action=AccessAction.PRINT)
        context = self.get_context_data()
        if kwargs.get("pdf"):
            pdf = render_pdf("assessments/pdf/report.html", context, request=request)
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="assessment-{self.object.pk}.pdf"')
            return response
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instrument = _instrument(self.object)
        bands = {band.grade: band.label for band in instrument.bands}
        context.update(
            dimensions=[(d.label, self.object.subtotals.get(d.code, "—"),
                         sum(i.maximum for i in instrument.items if i.dimension == d.code))
                        for d in instrument.dimensions],
            preliminary=bands.get(self.object.preliminary_grade, ""),
            final=bands.get(self.object.final_grade, ""),
            reasons=[REASON_LABELS.get(r, r) for r in self.object.change_reasons],
            assessors=self.object.assessors.all(), maximum=instrument.maximum)
        return context


REASON_LABELS = {
    "coma": gettext_lazy("Coma: the grade is ability completely lost"),
    "mental_diagnosis": gettext_lazy("Dementia or another mental disorder diagnosed: one level up"),
    "risk_events": gettext_lazy("Two or more care-risk events in the last 30 days: one level up"),
}
