"""The assessment fee statements of Art 21 for the district and finance:
the list with the monthly compilation, one statement with its lines, the
district's confirmation for payment, and the statement as a PDF."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView

from apps.assessments import services
from apps.assessments.models import FeeStatement, FeeStatementStatus
from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.forms import MONTH_FORMAT, MonthField, PastMonthForm
from apps.core.pdf import render_pdf
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.subsidies.rules import previous_month_start


class StatementFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), *FeeStatementStatus.choices])


class CompileForm(PastMonthForm):
    id_prefix = "compile"
    future_message = _("A month still to come cannot be compiled.")


class FeeStatementMixin(ScopedViewMixin):
    model = FeeStatement
    permission_required = "assessments.view_feestatement"

    def get_queryset(self):
        return super().get_queryset().select_related("body", "district", "issued_by")


class FeeStatementListView(FeeStatementMixin, ListView):
    """The statements the user's jurisdiction pays, newest month first."""

    template_name = "assessments/statements/statement_list.html"
    paginate_by = 50

    def get_queryset(self):
        rows = super().get_queryset().order_by("-month", "body__name", "district__name", "pk")
        self.filter_form = StatementFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            if self.filter_form.cleaned_data["month"]:
                rows = rows.filter(month=self.filter_form.cleaned_data["month"])
            if self.filter_form.cleaned_data["status"]:
                rows = rows.filter(status=self.filter_form.cleaned_data["status"])
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, query=query.urlencode())
        if self.request.user.has_perm("assessments.issue_feestatement"):
            context["compile_form"] = CompileForm(
                initial={"month": previous_month_start(timezone.localdate())})
        return context


def _line_totals(lines) -> dict[str, Decimal]:
    totals = {"count": 0, "fee": Decimal("0.00"), "district": Decimal("0.00"),
              "elder": Decimal("0.00")}
    for line in lines:
        totals["count"] += 1
        totals["fee"] += line.fee or 0
        totals["district"] += line.district_pays or 0
        totals["elder"] += line.elder_pays or 0
    return totals


class FeeStatementDetailView(FeeStatementMixin, DetailView):
    """One statement: its totals and lines; ``fee_statement_pdf`` prints it."""

    template_name = "assessments/statements/statement_detail.html"
    pdf = False

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        if not self.pdf:
            return self.render_to_response(context)
        log_access(request=request, obj=self.object, action=AccessAction.PRINT)
        pdf = render_pdf("assessments/statements/statement_pdf.html", context,
                         request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="fee-statement-{self.object.pk}-'
            f'{self.object.month:%Y-%m}.pdf"')
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = list(services.fee_statement_lines(self.object))
        context.update(
            lines=lines, line_totals=_line_totals(lines),
            can_issue=(self.object.status == FeeStatementStatus.DRAFT
                       and self.request.user.has_perm("assessments.issue_feestatement")))
        return context


class FeeStatementIssueView(ScopedObjectFormMixin, View):
    """The district confirms a draft for payment once its month is over."""

    model = FeeStatement
    permission_required = "assessments.issue_feestatement"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.issue_fee_statement(statement=self.object, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(str(m) for m in error.messages))
        else:
            messages.success(request, _("The statement is issued for payment."))
        return redirect("assessments:fee_statement_detail", pk=self.object.pk)


class FeeStatementCompileView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Compile (or bring up to date) the draft statements of a month."""

    permission_required = "assessments.issue_feestatement"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CompileForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("assessments:fee_statement_list")
        month = form.cleaned_data["month"]
        touched = services.compile_fee_statements(month=month)
        # the compilation is city-wide; report only what the user may see
        visible = FeeStatement.objects.visible_to(request.user).filter(
            pk__in=[s.pk for s in touched]).count()
        messages.success(request, _("Statements updated for %(month)s: %(count)d.") % {
            "count": visible, "month": month.strftime(MONTH_FORMAT)})
        return redirect(f"{reverse('assessments:fee_statement_list')}?month={month:%Y-%m}")
