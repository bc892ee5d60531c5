"""The evaluation's screens: the district scores and publishes, the provider
self-assesses and appeals, the city centre decides appeals, the district
follows up an unqualified result. Every view reads through ``visible_to``
and calls one service. The public page lists a district's posted results."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from apps.complaints.queries import complaints_summary
from apps.core.forms import add_service_errors
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.evaluations import forms, rules, services
from apps.evaluations.models import Evaluation, EvaluationCriterion, EvaluationStatus
from apps.regions.models import Region, RegionKind

VIEW = "evaluations.view_evaluation"


def _today() -> date:
    return timezone.localdate()


class EvaluationMixin(ScopedViewMixin):
    model = Evaluation
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("provider", "district")


class EvaluationListView(EvaluationMixin, ListView):
    """The evaluations in the user's jurisdiction (a provider: its own)."""

    template_name = "evaluations/evaluation_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filters = forms.FilterForm(self.request.GET or None)
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["year"]:
                queryset = queryset.filter(year=data["year"])
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
        return queryset.order_by("-year", "provider__name", "category", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class AppealListView(EvaluationListView):
    """The appeals waiting for the city centre's re-evaluation."""

    permission_required = "evaluations.decide_appeal"
    template_name = "evaluations/appeal_list.html"

    def get_queryset(self):
        return super().get_queryset().filter(status=EvaluationStatus.APPEALED) \
            .order_by("appealed_on", "pk")


class EvaluationDetailView(EvaluationMixin, DetailView):
    template_name = "evaluations/evaluation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation, user = self.object, self.request.user
        status = evaluation.status
        unqualified = evaluation.final_unqualified and not evaluation.recheck_result
        due = services.report_due(evaluation)
        context.update(
            report_due=due,
            reported_late=(evaluation.published_on or _today()) >= due,
            scores=evaluation.scores.select_related("criterion"),
            appeal_opens=(rules.appeal_opens(evaluation.published_on)
                          if evaluation.published_on else None),
            can_score=status == EvaluationStatus.DRAFT
            and user.has_perm("evaluations.change_evaluation"),
            can_publish=status == EvaluationStatus.DRAFT and evaluation.grade != ""
            and evaluation.self_assessed_at is not None
            and user.has_perm("evaluations.publish_evaluation"),
            awaiting_self_assessment=status == EvaluationStatus.DRAFT
            and evaluation.self_assessed_at is None,
            can_self_assess=status == EvaluationStatus.DRAFT
            and user.has_perm("evaluations.self_assess_evaluation"),
            can_appeal=status == EvaluationStatus.PUBLISHED
            and user.has_perm("evaluations.appeal_evaluation"),
            can_decide=status == EvaluationStatus.APPEALED
            and user.has_perm("evaluations.decide_appeal"),
            can_rectify=unqualified and user.has_perm("evaluations.change_evaluation"),
            can_recheck=unqualified and evaluation.rectification_until is not None
            and user.has_perm("evaluations.change_evaluation"),
            # the year's complaints and follow-up calls in the evaluating district
            complaints=complaints_summary(evaluation.provider, evaluation.year,
                                          district=evaluation.district),
        )
        return context


class EvaluationFormView(EvaluationMixin, ScopedObjectFormMixin, FormView):
    """A form about one evaluation (404 out of scope) calling one service."""

    template_name = "evaluations/evaluation_form.html"
    title = ""
    done = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(evaluation=self.object, title=self.title, **kwargs)

    def call_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.call_service(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect("evaluations:evaluation_detail", pk=self.object.pk)


class EvaluationOpenView(ScopedViewMixin, FormView):
    """Open the year's evaluation of a provider for a service category."""

    model = Evaluation
    permission_required = "evaluations.add_evaluation"
    form_class = forms.OpenForm
    template_name = "evaluations/evaluation_open.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            evaluation = services.open_evaluation(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The evaluation is opened; enter the scores."))
        return redirect("evaluations:evaluation_scores", pk=evaluation.pk)


class ScoreSheetView(EvaluationFormView):
    permission_required = "evaluations.change_evaluation"
    form_class = forms.ScoreSheetForm
    title = _("Score sheet")
    done = _("The scores are saved; the total and grade are computed.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "criteria": EvaluationCriterion.objects.sheet_for(self.object.category)}

    def get_initial(self):
        initial = {s.criterion.code: s.points
                   for s in self.object.scores.select_related("criterion")}
        return {**initial, "notes": self.object.district_notes}

    def call_service(self, form):
        services.record_scores(evaluation=self.object, scores=form.scores(),
                               notes=form.cleaned_data["notes"], by=self.request.user)


class PublishView(EvaluationFormView):
    permission_required = "evaluations.publish_evaluation"
    form_class = forms.PublishForm
    title = _("Publish the result")
    done = _("The result is published and posted publicly.")

    def call_service(self, form):
        services.publish_evaluation(evaluation=self.object,
                                    on=form.cleaned_data["published_on"], by=self.request.user)


class SelfAssessmentView(EvaluationFormView):
    permission_required = "evaluations.self_assess_evaluation"
    form_class = forms.SelfAssessmentForm
    title = _("Self-assessment")
    done = _("The self-assessment is saved.")

    def get_initial(self):
        return {"self_assessment": self.object.self_assessment,
                "self_score": self.object.self_score}

    def call_service(self, form):
        data = form.cleaned_data
        services.record_self_assessment(evaluation=self.object, text=data["self_assessment"],
                                        score=data["self_score"], by=self.request.user)


class AppealView(EvaluationFormView):
    permission_required = "evaluations.appeal_evaluation"
    form_class = forms.AppealForm
    template_name = "evaluations/appeal_form.html"
    title = _("Appeal to the city centre")
    done = _("The appeal is lodged with the city centre.")

    def get_context_data(self, **kwargs):
        evaluation = self.object
        context = {"appeal_opens": None}
        if evaluation.published_on:
            context = {"appeal_opens": rules.appeal_opens(evaluation.published_on),
                       **services.policy_periods(evaluation.district,
                                                 published_on=evaluation.published_on,
                                                 posting_until=evaluation.posting_until)}
        return super().get_context_data(**context, **kwargs)

    def call_service(self, form):
        services.appeal_evaluation(evaluation=self.object, reason=form.cleaned_data["reason"],
                                   by=self.request.user)


class DecisionView(EvaluationFormView):
    permission_required = "evaluations.decide_appeal"
    form_class = forms.DecisionForm
    title = _("Re-evaluation (复评)")
    done = _("The re-evaluation is recorded; the result is final.")

    def call_service(self, form):
        services.decide_appeal(evaluation=self.object, reason=form.cleaned_data["reason"],
                               total=form.revised_total(), by=self.request.user)


class RectificationView(EvaluationFormView):
    permission_required = "evaluations.change_evaluation"
    form_class = forms.RectificationForm
    title = _("Rectification deadline")
    done = _("The rectification deadline is set.")

    def call_service(self, form):
        services.set_rectification(evaluation=self.object,
                                   until=form.cleaned_data["rectification_until"],
                                   by=self.request.user)


class RecheckView(EvaluationFormView):
    permission_required = "evaluations.change_evaluation"
    form_class = forms.RecheckForm
    title = _("Re-check after rectification")
    done = _("The re-check is recorded.")

    def call_service(self, form):
        data = form.cleaned_data
        services.record_recheck(evaluation=self.object, passed=data["passed"],
                                notes=data["notes"], on=data["rechecked_on"],
                                by=self.request.user)


class PublicGradeListView(ListView):
    """A district's posted and final results, open to the public (Art 23:
    公示). Organisations and grades only: no people, scores or reasons."""

    template_name = "evaluations/public_list.html"

    def get_queryset(self):
        self.district = get_object_or_404(Region, code=self.kwargs["code"],
                                          kind=RegionKind.DISTRICT)
        return (Evaluation.objects.filter(district=self.district)
                .exclude(status=EvaluationStatus.DRAFT)
                .select_related("provider")
                .order_by("-year", "provider__name", "category"))

    def get_context_data(self, **kwargs):
        today = _today()
        return super().get_context_data(
            district=self.district, today=today,
            **services.policy_periods(self.district, published_on=today), **kwargs)
