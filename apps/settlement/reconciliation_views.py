"""The yearly funding reconciliation screens (Art 33): the report of a year
for every district the user may see (city staff: all, district staff and
finance: their own) with its .xlsx export, one district's year (printable)
where city staff confirm the reconciliation, and the form where city staff
record or correct the city's advance."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.core.forms import add_service_errors
from apps.core.scoping import get_visible_or_404
from apps.regions.models import Region, RegionKind
from apps.settlement import reconciliation
from apps.settlement.models import CityAdvance, FundingReconciliation, RunStatus
from apps.settlement.reconciliation import MAX_YEAR, MIN_YEAR, DistrictYear
from apps.settlement.reconciliation_forms import AdvanceForm, YearForm
from apps.visits.uploading import safe_cell

VIEW = "settlement.view_cityadvance"
RECORD = "settlement.add_cityadvance"
CORRECT = "settlement.change_cityadvance"
# City staff who keep the advances also confirm the year's clearing.
CONFIRM = CORRECT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_labels(row: DistrictYear) -> list[tuple[str, str]]:
    """(key, label) of the row's state: final, or provisional and/or overdue,
    or ready to confirm."""
    if row.is_final:
        return [("final", _("Final"))]
    labels = []
    if row.provisional:
        labels.append(("provisional", _("Provisional")))
    if row.overdue:
        labels.append(("overdue", _("Overdue")))
    if not labels:
        labels.append(("open", _("To confirm")))
    return labels


def month_status_label(status: str | None) -> str:
    return RunStatus(status).label if status else _("No run")


def _district_url(year: int, district) -> str:
    return reverse("settlement:reconciliation_district", args=[year, district.pk])


class ReconciliationMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW


class ReportView(ReconciliationMixin, TemplateView):
    """The year's reconciliation, one row per district, with the totals."""

    template_name = "settlement/reconciliation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = YearForm(self.request.GET or None)
        year = form.chosen_year
        rows = reconciliation.year_report(user, year)
        context.update(
            year=year, year_form=form, rows=[(row, status_labels(row)) for row in rows],
            totals=reconciliation.report_totals(rows),
            due_on=rows[0].figures.due_on if rows else None,
            may_record=user.has_perm(RECORD) or user.has_perm(CORRECT))
        return context


class DistrictYearView(ReconciliationMixin, TemplateView):
    """One district's year, month by month; printable with a signature
    block; city staff confirm it here once it is complete."""

    template_name = "settlement/reconciliation_district.html"
    model = Region  # what ``pk`` names (the scope-leak walk fills it with regions)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not MIN_YEAR <= kwargs["year"] <= MAX_YEAR:
            raise Http404
        self.district = get_visible_or_404(Region.objects.filter(kind=RegionKind.DISTRICT),
                                           request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, self.kwargs["year"]
        (row,) = reconciliation.year_report(user, year, district=self.district)
        context.update(
            year=year, district=self.district, row=row, statuses=status_labels(row),
            months=[(figures, month_status_label(figures.status),
                     reconciliation.ratio_label(figures.city_ratio))
                    for figures in row.figures.months],
            may_confirm=row.may_confirm and user.has_perm(CONFIRM),
            may_record=(not row.is_final
                        and user.has_perm(CORRECT if row.advance else RECORD)),
            advance_url=(reverse("settlement:reconciliation_advance")
                         + f"?district={self.district.pk}&year={year}"),
            printed_on=timezone.localdate())
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CONFIRM):
            raise PermissionDenied
        try:
            reconciliation.confirm_reconciliation(district=self.district,
                                                  year=kwargs["year"], user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The reconciliation of %(year)s is final.")
                             % {"year": kwargs["year"]})
        return redirect(_district_url(kwargs["year"], self.district))


class ExportView(ReconciliationMixin, View):
    """The year's report as an .xlsx workbook: the districts with their
    totals, and their months."""

    def get(self, request, *args, **kwargs):
        year = YearForm(request.GET or None).chosen_year
        rows = reconciliation.year_report(request.user, year)
        response = HttpResponse(report_workbook(year, rows), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="funding-reconciliation-{year}.xlsx"')
        response["Cache-Control"] = "no-store, private"
        return response


SUMMARY_MONEY = ("advance", "spending", "city_share", "district_share", "balance",
                 "owed_to_district", "owed_to_city")


def report_workbook(year: int, rows: list[DistrictYear]) -> bytes:
    """The report as .xlsx bytes; every text cell is neutralised so that no
    spreadsheet program runs it as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def put(sheet, values, *, bold=False):
        sheet.append([safe_cell(str(value) if isinstance(value, Promise) else value)
                      for value in values])
        for cell, value in zip(sheet[sheet.max_row], values, strict=False):
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            if bold:
                cell.font = Font(bold=True)

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Districts")[:31]
    put(summary, [_("Funding reconciliation %(year)s") % {"year": year}], bold=True)
    put(summary, [_("District code"), _("District"), _("City:district ratio"),
                  _("Amount advanced"), _("Actual spending"), _("City's share"),
                  _("District's share"), _("Balance"), _("The city owes the district"),
                  _("The district returns"), _("Months not closed"), _("Status"),
                  _("Due by"), _("Confirmed by"), _("Confirmed at")], bold=True)
    for row in rows:
        shown, final = row.shown, row.final
        put(summary, [
            row.district.code, row.district.name, shown.ratios,
            *(getattr(shown, name) for name in SUMMARY_MONEY),
            len(row.figures.open_months) if not final else 0,
            "、".join(label for _key, label in status_labels(row)),
            row.figures.due_on, final.confirmed_by.get_username() if final else "",
            timezone.localtime(final.confirmed_at).replace(tzinfo=None) if final else None])
    totals = reconciliation.report_totals(rows)
    put(summary, [_("Total"), "", "", *(getattr(totals, name) for name in SUMMARY_MONEY)],
        bold=True)

    months = workbook.create_sheet(_("Months")[:31])
    put(months, [_("District code"), _("District"), _("Month"), _("Status"),
                 _("City:district ratio"), _("Payable"), _("City's share"),
                 _("District's share"), _("Counted")], bold=True)
    for row in rows:
        for figures in row.figures.months:
            put(months, [row.district.code, row.district.name, f"{figures.month:%Y-%m}",
                         month_status_label(figures.status),
                         reconciliation.ratio_label(figures.city_ratio),
                         figures.payable, figures.city_share, figures.district_share,
                         _("yes") if figures.closed else _("no")])
    for sheet in (summary, months):
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class AdvanceView(LoginRequiredMixin, TemplateView):
    """Record or correct the city's advance to a district for a year."""

    template_name = "settlement/reconciliation_advance.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (request.user.has_perm(RECORD)
                                                  or request.user.has_perm(CORRECT)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        if self.request.method == "POST":
            return AdvanceForm(self.request.POST, user=self.request.user)
        year = YearForm(self.request.GET or None).chosen_year
        form = AdvanceForm(user=self.request.user, initial={"year": year})
        district_pk = self.request.GET.get("district", "")
        district = (form.fields["district"].queryset.filter(pk=district_pk).first()
                    if district_pk.isdigit() else None)
        if district is not None:
            form.initial["district"] = district.pk
            advance = CityAdvance.objects.visible_to(self.request.user).filter(
                district=district, year=year).first()
            if advance is not None:
                form.initial.update(amount=advance.amount, paid_on=advance.paid_on,
                                    reference=advance.reference)
        return form

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or self.get_form()
        context.update(form=form, final_years=self._final_years(form))
        return context

    def _final_years(self, form) -> bool:
        """Whether the district and year the form shows are already final."""
        district, year = form.initial.get("district"), form.initial.get("year")
        if form.is_bound or not district or not year:
            return False
        return FundingReconciliation.objects.visible_to(self.request.user).filter(
            district_id=district, year=year).exists()

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            exists = CityAdvance.objects.filter(district=data["district"],
                                                year=data["year"]).exists()
            if not request.user.has_perm(CORRECT if exists else RECORD):
                raise PermissionDenied
            try:
                reconciliation.record_advance(
                    district=data["district"], year=data["year"], amount=data["amount"],
                    paid_on=data["paid_on"], reference=data["reference"], user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The advance is recorded."))
                return redirect(_district_url(data["year"], data["district"]))
        return self.render_to_response(self.get_context_data(form=form))
