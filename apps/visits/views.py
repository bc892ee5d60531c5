"""Visit screens.

The caregiver's phone: start a visit at the elder's door (an elder of one of
the provider's agreements in force today), check out, submit; a refused
visit stays on the phone with its reasons until fixed. The office and the
provider: the visit list and detail with the versions and the submissions
behind them, corrections (a new version with a reason), the provider's
refused rows to correct and send again, and the elder's monthly statement.

Every read goes through ``visible_to``; every visit goes through
``intake.submit`` (channel "form") by way of ``apps.visits.services``.
"""

from __future__ import annotations

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.careplans.models import AgreementItem, ServiceAgreement
from apps.catalogue.models import ServiceItem
from apps.core.forms import add_service_errors
from apps.core.pdf import render_pdf
from apps.core.private_search import PrivateSearchMixin
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder
from apps.providers.models import Provider, StaffMember
from apps.visits import services, statement
from apps.visits.forms import (
    CheckInForm,
    CheckOutForm,
    DraftEditForm,
    VisitFilterForm,
    VisitForm,
)
from apps.visits.models import Outcome, ServiceVisit, VisitDraft, VisitSubmission
from apps.visits.reasons import Flag, Reason

VIEW = "visits.view_servicevisit"
RECORD = "visits.add_servicevisit"
VIEW_SUBMISSIONS = "visits.view_visitsubmission"
STATEMENT = ("elders.view_elder", VIEW)

REASON_LABELS = dict(Reason.choices)
FLAG_LABELS = dict(Flag.choices)
# The intake names a row's fields as the channels do; the form's names differ.
FORM_FIELDS = {"elder_id_number": "elder", "elder_pk": "elder"}
# Photos shown in the browser; anything else is downloaded, never rendered.
INLINE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def reason_rows(reasons) -> list[dict]:
    """A refusal's reasons with their label in the user's language."""
    rows = []
    for reason in reasons or []:
        code = reason.get("code", "")
        label = str(REASON_LABELS.get(code, code))
        message = reason.get("message") or ""
        rows.append({"code": code, "label": label, "field": reason.get("field") or "",
                     "message": message if message != label else ""})
    return rows


def flag_rows(flags) -> list[dict]:
    return [{"code": flag, "label": FLAG_LABELS.get(flag, flag)} for flag in flags or []]


def add_reason_errors(form, reasons) -> None:
    """Show the intake's reasons on the form, next to their field when the
    form has it."""
    for row in reason_rows(reasons):
        field = FORM_FIELDS.get(row["field"], row["field"])
        text = f"{row['label']}: {row['message']}" if row["message"] else row["label"]
        form.add_error(field if field in form.fields else None, text)


def statement_url(user, elder_id, day, *, pdf=False) -> str | None:
    if elder_id is None or not user.has_perms(STATEMENT):
        return None
    name = "visits:statement_pdf" if pdf else "visits:statement"
    return reverse(name, args=[elder_id, f"{day:%Y-%m}"])


def _serve_file(request, field, *, elder, filename: str):
    if not field:
        raise Http404
    log_access(request=request, obj=elder, action=AccessAction.VIEW)
    content_type = mimetypes.guess_type(field.name)[0]
    inline = content_type in INLINE_IMAGES
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=filename + os.path.splitext(field.name)[1],
                            as_attachment=not inline,
                            content_type=content_type if inline else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


# --- the caregiver's phone -----------------------------------------------------


def linked_caregiver(user) -> StaffMember | None:
    """The user's own roster entry, when the account is a caregiver's."""
    if not getattr(user, "provider_id", None):
        return None
    return StaffMember.objects.filter(user=user, provider_id=user.provider_id,
                                      active=True).first()


def caregiver_choices(user, provider_id):
    return (StaffMember.objects.visible_to(user).filter(provider_id=provider_id, active=True)
            .order_by("name"))


def agreements_today(user):
    """The provider's agreements in force today: whose elders its staff may
    visit (and the only way provider staff reach an elder at all)."""
    return (ServiceAgreement.objects.visible_to(user)
            .in_force_on(timezone.localdate())
            .filter(provider_id=getattr(user, "provider_id", None)))


class PhoneMixin(ScopedViewMixin):
    """The caregiver's pages: a provider's staff recording visits; no side
    menu, one column, big targets."""

    permission_required = RECORD

    def get_context_data(self, **kwargs):
        kwargs.setdefault("menu", None)
        return super().get_context_data(**kwargs)


class MyDayView(PhoneMixin, TemplateView):
    """My visits today: those under way (and refused ones to fix), and those
    accepted today."""

    template_name = "visits/mobile_today.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        mine = Q(created_by=user) | Q(caregiver__user=user)
        drafts = (VisitDraft.objects.visible_to(user).filter(mine)
                  .select_related("elder", "service_item", "caregiver")
                  .order_by("-check_in_at"))
        visits = (ServiceVisit.objects.visible_to(user).current()
                  .filter(service_date=today)
                  .filter(Q(caregiver__user=user) | Q(submitted_by=user))
                  .select_related("elder", "service_item", "caregiver")
                  .order_by("-check_in_at"))
        return super().get_context_data(drafts=drafts, visits=visits, today=today,
                                        is_provider=bool(user.provider_id), **kwargs)


class StartVisitView(PhoneMixin, TemplateView):
    """Pick the elder: those with an agreement of the provider in force today."""

    template_name = "visits/mobile_start.html"

    def get_context_data(self, **kwargs):
        seen, elders = set(), []
        for agreement in (agreements_today(self.request.user).select_related("elder")
                          .order_by("elder__name", "elder__pk")):
            if agreement.elder_id not in seen:
                seen.add(agreement.elder_id)
                elders.append(agreement.elder)
        return super().get_context_data(elders=elders,
                                        is_provider=bool(self.request.user.provider_id),
                                        **kwargs)


class CheckInView(PhoneMixin, FormView):
    """At the door: the item of the agreement, the caregiver, the method."""

    template_name = "visits/mobile_check_in.html"
    form_class = CheckInForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agreements = list(agreements_today(request.user)
                               .filter(elder_id=kwargs["elder_pk"]).select_related("elder"))
        if not self.agreements:
            raise Http404
        self.elder = self.agreements[0].elder
        self.caregiver = linked_caregiver(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        items = ServiceItem.objects.filter(pk__in=AgreementItem.objects.filter(
            agreement__in=[a.pk for a in self.agreements]).values("service_item")).order_by(
            "category", "code")
        caregivers = (None if self.caregiver is not None
                      else caregiver_choices(self.request.user, self.request.user.provider_id))
        return {**super().get_form_kwargs(), "elder": self.elder, "items": items,
                "caregivers": caregivers}

    def get_context_data(self, **kwargs):
        return super().get_context_data(elder=self.elder, caregiver=self.caregiver, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            draft = services.check_in(
                provider=self.agreements[0].provider, user=self.request.user,
                elder=self.elder, service_item=data["service_item"],
                caregiver=self.caregiver or data["caregiver"],
                method=data["check_in_method"], reason=data["check_in_reason"],
                latitude=data.get("latitude"), longitude=data.get("longitude"))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Checked in at %(time)s.")
                         % {"time": f"{timezone.localtime(draft.check_in_at):%H:%M}"})
        return redirect("visits:mobile_draft", pk=draft.pk)


class DraftMixin(PhoneMixin):
    model = VisitDraft

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "service_item", "caregiver",
                                                     "provider")

    def draft_context(self, draft, **kwargs):
        kwargs.setdefault("reasons", reason_rows(draft.last_reasons))
        if draft.check_out_at is None:
            kwargs.setdefault("form", CheckOutForm(elder=draft.elder))
        return kwargs


class DraftView(DraftMixin, DetailView):
    """A visit under way: check out, then submit; a refusal's reasons."""

    template_name = "visits/mobile_draft.html"
    context_object_name = "draft"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.draft_context(self.object, **kwargs))


class CheckOutView(DraftMixin, ScopedObjectFormMixin, FormView):
    template_name = "visits/mobile_draft.html"
    form_class = CheckOutForm

    def get(self, request, *args, **kwargs):
        return redirect("visits:mobile_draft", pk=self.object.pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "elder": self.object.elder}

    def get_context_data(self, **kwargs):
        kwargs = self.draft_context(self.object, **kwargs)
        return super().get_context_data(draft=self.object, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.check_out(draft=self.object, method=data["check_out_method"],
                               reason=data["check_out_reason"], notes=data["notes"],
                               confirmation=data["confirmation"],
                               confirmed_by_name=data["confirmed_by_name"],
                               photo=data.get("photo") or None)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Checked out. Check the visit and submit it."))
        return redirect("visits:mobile_draft", pk=self.object.pk)


class DraftEditView(DraftMixin, ScopedObjectFormMixin, FormView):
    """Fix a checked-out visit before submitting it again."""

    template_name = "visits/mobile_edit.html"
    form_class = DraftEditForm

    def get(self, request, *args, **kwargs):
        if self.object.check_out_at is None:
            return redirect("visits:mobile_draft", pk=self.object.pk)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        draft = self.object
        items = ServiceItem.objects.filter(
            Q(pk__in=AgreementItem.objects.visible_to(self.request.user).filter(
                agreement__provider_id=draft.provider_id,
                agreement__elder_id=draft.elder_id).values("service_item"))
            | Q(pk=draft.service_item_id)).order_by("category", "code")
        caregivers = (None if linked_caregiver(self.request.user) is not None
                      else caregiver_choices(self.request.user, draft.provider_id))
        return {**super().get_form_kwargs(), "draft": draft, "items": items,
                "caregivers": caregivers}

    def get_context_data(self, **kwargs):
        return super().get_context_data(draft=self.object,
                                        reasons=reason_rows(self.object.last_reasons), **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None) or None
        fields = {name: data[name] for name in services.DRAFT_EDITABLE if name in data}
        try:
            services.update_draft(draft=self.object, photo=photo, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes are saved. Submit the visit again."))
        return redirect("visits:mobile_draft", pk=self.object.pk)


class SubmitDraftView(DraftMixin, SingleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        draft = self.get_object()
        try:
            result = services.submit_draft(draft=draft, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("visits:mobile_draft", pk=draft.pk)
        if result.outcome == Outcome.ACCEPTED:
            text = _("The visit is recorded.")
            if result.flags:
                text += " " + _("Flagged for a look: %(flags)s.") % {
                    "flags": "、".join(str(FLAG_LABELS.get(f, f)) for f in result.flags)}
            messages.success(request, text)
            return redirect("visits:visit_detail", pk=result.visit_id)
        messages.error(request, _("The visit was refused. Fix what the reasons say and "
                                  "submit it again."))
        return redirect("visits:mobile_draft", pk=draft.pk)


class DiscardDraftView(DraftMixin, SingleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.discard_draft(draft=self.get_object())
        messages.success(request, _("The visit under way is discarded."))
        return redirect("visits:mobile_today")


class DraftPhotoView(DraftMixin, DetailView):
    def get(self, request, *args, **kwargs):
        draft = self.get_object()
        return _serve_file(request, draft.photo, elder=draft.elder,
                           filename=f"visit-{draft.provider_visit_id}")


# --- the office and the provider ------------------------------------------------


def providers_for(user):
    """The providers a user may filter by: those visible to them and those
    serving elders of their jurisdiction."""
    return (Provider.objects.filter(
        Q(pk__in=Provider.objects.visible_to(user).values("pk"))
        | Q(pk__in=ServiceAgreement.objects.visible_to(user).values("provider_id")))
        .order_by("name"))


class VisitMixin(ScopedViewMixin):
    model = ServiceVisit
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "provider", "caregiver",
                                                     "service_item")


class VisitListView(PrivateSearchMixin, VisitMixin, ListView):
    """The visits the user may see (a provider: its own; a street or a
    district: its elders'), current versions unless asked, filtered; a fixed
    number of queries whatever the rows."""

    private_fields = ("elder_name",)  # a name: never in a URL (core.private_search)
    template_name = "visits/visit_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        queryset = super().get_queryset()
        self.filters = VisitFilterForm(self.request.GET or None,
                                       providers=providers_for(user))
        if user.provider_id:
            del self.filters.fields["provider"]
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        self.month = statement.parse_month(data.get("month") or "")
        if self.month is not None:
            from apps.subsidies.rules import month_end

            queryset = queryset.in_month(self.month, month_end(self.month))
        if not data.get("all_versions"):
            queryset = queryset.current()
        if data.get("provider"):
            queryset = queryset.filter(provider=data["provider"])
        if data.get("service_item"):
            queryset = queryset.filter(service_item=data["service_item"])
        if data.get("flag"):
            queryset = queryset.filter(flags__contains=[data["flag"]])
        if data.get("elder_name"):
            queryset = queryset.filter(elder__name__icontains=data["elder_name"])
        self.elder_id = data.get("elder")
        if self.elder_id:
            queryset = queryset.filter(elder_id=self.elder_id)
        return queryset.order_by("-service_date", "-check_in_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        for visit in context["object_list"]:
            visit.flag_rows = flag_rows(visit.flags)
        if self.month is not None and self.elder_id:
            context["statement_url"] = statement_url(self.request.user, self.elder_id,
                                                     self.month)
        return context


class VisitDetailView(VisitMixin, DetailView):
    """One version of a visit: every field, its place in the version chain,
    the submissions that produced it."""

    template_name = "visits/visit_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        visit = self.object
        user = self.request.user
        versions = (ServiceVisit.objects.visible_to(user)
                    .filter(provider_id=visit.provider_id,
                            provider_visit_id=visit.provider_visit_id)
                    .select_related("submitted_by").order_by("version"))
        submissions = (VisitSubmission.objects.visible_to(user)
                       .filter(provider_id=visit.provider_id,
                               provider_visit_id=visit.provider_visit_id)
                       .select_related("submitted_by", "batch").order_by("-received_at", "-pk")
                       if user.has_perm(VIEW_SUBMISSIONS) else [])
        for submission in submissions:
            submission.reason_rows = reason_rows(submission.reasons)
            submission.flag_rows = flag_rows(submission.flags)
        return super().get_context_data(
            versions=versions, submissions=submissions, flags=flag_rows(visit.flags),
            can_correct=visit.is_current and user.has_perm(RECORD)
            and (user.provider_id == visit.provider_id or user.is_superuser),
            statement_url=statement_url(user, visit.elder_id, visit.service_date), **kwargs)


class VisitPhotoView(VisitMixin, DetailView):
    """The visit's photo, only through the visit's scope, never a media URL."""

    def get(self, request, *args, **kwargs):
        visit = self.get_object()
        return _serve_file(request, visit.photo, elder=visit.elder,
                           filename=f"visit-{visit.provider_visit_id}-v{visit.version}")


def _local(value):
    return timezone.localtime(value) if value else None


def elders_of(user, provider_id, *also):
    """The elders a provider's form may name: those of its agreements (and
    whoever the visit already names)."""
    return (Elder.objects.filter(
        Q(pk__in=ServiceAgreement.objects.visible_to(user).filter(provider_id=provider_id)
          .values("elder_id")) | Q(pk__in=[pk for pk in also if pk]))
        .order_by("name", "pk"))


class VisitFormMixin:
    """The office's whole-visit form, submitted through the intake; a
    refusal's reasons come back onto the form."""

    template_name = "visits/visit_form.html"
    form_class = VisitForm
    correction = False

    def check_provider(self, provider_id):
        user = self.request.user
        if not (user.is_superuser or user.provider_id == provider_id):
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "correction": self.correction,
                "elders": elders_of(self.request.user, self.provider_id, self.elder_id),
                "caregivers": StaffMember.objects.visible_to(self.request.user).filter(
                    provider_id=self.provider_id).order_by("-active", "name")}

    def answer(self, form, result):
        if result.outcome != Outcome.ACCEPTED:
            add_reason_errors(form, result.reasons)
            return self.form_invalid(form)
        if result.unchanged:
            messages.info(self.request, _("Nothing changed: the visit is as it was."))
        else:
            messages.success(self.request, _("The visit is recorded as version %(version)s.")
                             % {"version": result.version})
        return redirect("visits:visit_detail", pk=result.visit_id)


class VisitCorrectView(VisitFormMixin, VisitMixin, ScopedObjectFormMixin, FormView):
    """Correct an accepted visit: a new version with a reason."""

    permission_required = (VIEW, RECORD)
    correction = True

    def get_object(self, queryset=None):
        visit = super().get_object(queryset)
        if not visit.is_current:
            raise Http404
        self.check_provider(visit.provider_id)
        self.provider_id, self.elder_id = visit.provider_id, visit.elder_id
        return visit

    def get_initial(self):
        visit = self.object
        # units as the provider gave them (empty: worked out by the intake)
        made_by = visit.submissions.order_by("pk").values_list("payload", flat=True).first()
        return {"units": (made_by or {}).get("units"), "elder": visit.elder_id,
                "service_item": visit.service_item_id,
                "caregiver": visit.caregiver_id, "check_in_at": _local(visit.check_in_at),
                "check_in_method": visit.check_in_method,
                "check_in_reason": visit.check_in_reason,
                "check_out_at": _local(visit.check_out_at),
                "check_out_method": visit.check_out_method,
                "check_out_reason": visit.check_out_reason, "notes": visit.notes,
                "confirmation": visit.confirmation,
                "confirmed_by_name": visit.confirmed_by_name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(visit=self.object, **kwargs)

    def form_valid(self, form):
        result = services.correct_visit(visit=self.object, data=form.cleaned_data,
                                        user=self.request.user,
                                        photo=form.cleaned_data.get("photo") or None)
        return self.answer(form, result)


def rejected_submissions(user):
    """The latest refused row of each provider's visit id that no later
    accepted row has settled: what the provider still has to correct."""
    settled = VisitSubmission.objects.filter(
        provider_id=OuterRef("provider_id"), provider_visit_id=OuterRef("provider_visit_id"),
        outcome=Outcome.ACCEPTED, received_at__gt=OuterRef("received_at"))
    latest = (VisitSubmission.objects.visible_to(user).filter(outcome=Outcome.REJECTED)
              .filter(~Exists(settled))
              .order_by("provider_id", "provider_visit_id", "-received_at", "-pk")
              .distinct("provider_id", "provider_visit_id").values("pk"))
    return VisitSubmission.objects.filter(pk__in=latest)


class RejectedListView(ScopedViewMixin, ListView):
    """The provider's refused rows still to correct, with their reasons."""

    model = VisitSubmission
    permission_required = VIEW_SUBMISSIONS
    template_name = "visits/rejected_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (rejected_submissions(self.request.user)
                .select_related("elder", "provider", "batch")
                .order_by("-received_at", "-pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        drafts = dict(VisitDraft.objects.visible_to(self.request.user).filter(
            provider_visit_id__in=[s.provider_visit_id for s in rows])
            .values_list("provider_visit_id", "pk"))
        user = self.request.user
        for submission in rows:
            submission.reason_rows = reason_rows(submission.reasons)
            submission.draft_id = drafts.get(submission.provider_visit_id)
            submission.can_resubmit = user.has_perm(RECORD) and (
                user.is_superuser or user.provider_id == submission.provider_id)
        return context


def _payload_time(value):
    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return timezone.localtime(parsed)


class ResubmitView(VisitFormMixin, ScopedObjectFormMixin, FormView):
    """A refused row, prefilled from what was sent, to correct and send again
    under its own visit id."""

    model = VisitSubmission
    permission_required = (VIEW_SUBMISSIONS, RECORD)

    def get_object(self, queryset=None):
        submission = super().get_object(queryset)
        if submission.outcome != Outcome.REJECTED:
            raise Http404
        self.check_provider(submission.provider_id)
        self.provider_id, self.elder_id = submission.provider_id, submission.elder_id
        return submission

    def get_initial(self):
        payload = self.object.payload or {}
        item = ServiceItem.objects.filter(code=payload.get("service_item") or "").first()
        caregiver = str(payload.get("caregiver") or "")
        elder_id = self.object.elder_id or payload.get("elder")
        initial = {"elder": elder_id, "service_item": item.pk if item else None,
                   "caregiver": int(caregiver) if caregiver.isdigit() else None,
                   "check_in_at": _payload_time(payload.get("check_in_at")),
                   "check_out_at": _payload_time(payload.get("check_out_at"))}
        for name in ("check_in_method", "check_in_reason", "check_out_method",
                     "check_out_reason", "units", "notes", "confirmation",
                     "confirmed_by_name", "correction_reason"):
            if payload.get(name) not in (None, ""):
                initial[name] = payload[name]
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(submission=self.object,
                                        reasons=reason_rows(self.object.reasons), **kwargs)

    def form_valid(self, form):
        result = services.resubmit(submission=self.object, data=form.cleaned_data,
                                   user=self.request.user,
                                   photo=form.cleaned_data.get("photo") or None)
        return self.answer(form, result)


# --- the elder's monthly statement ----------------------------------------------


class StatementView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """What was recorded in the elder's name in a month, split into subsidy
    and own share; printable, and as a PDF (logged) to hand to the family."""

    model = Elder
    permission_required = STATEMENT
    template_name = "visits/statement.html"
    pdf = False

    def get(self, request, *args, **kwargs):
        elder = get_visible_or_404(Elder, request.user, pk=kwargs["elder_pk"])
        month = statement.parse_month(kwargs["month"])
        if month is None:
            raise Http404
        result = statement.build_statement(
            elder, month, ServiceVisit.objects.visible_to(request.user))
        context = self.get_context_data(
            statement=result, elder=elder, printed_on=timezone.localdate(),
            pdf_url=statement_url(request.user, elder.pk, month, pdf=True),
            visits_url=(reverse("visits:visit_list")
                        + f"?elder={elder.pk}&month={month:%Y-%m}"),
            previous_url=statement_url(request.user, elder.pk,
                                       _previous_month(month)),
            next_url=statement_url(request.user, elder.pk, _next_month(month)))
        if not self.pdf:
            log_access(request=request, obj=elder, action=AccessAction.VIEW)
            return self.render_to_response(context)
        log_access(request=request, obj=elder, action=AccessAction.PRINT)
        pdf = render_pdf("visits/pdf/statement.html", context, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="statement-{elder.pk}-{month:%Y-%m}.pdf"')
        response["Cache-Control"] = "no-store, private"
        return response


def _previous_month(month):
    from apps.subsidies.rules import previous_month_start

    return previous_month_start(month)


def _next_month(month):
    from apps.subsidies.rules import next_month_start

    return next_month_start(month)
