"""Settlement runs in Django admin, read-only: a run moves only through its
services (compute, review, approve, pay), and an approved one only through
none (the database refuses it). So are the rows that belong to a run (fee
lines, withholdings, stored statements) and the confirmed funding
reconciliations; the city's advances are recorded through their service."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from apps.contracts.admin import ReadOnlyInline
from apps.core.admin import ScopedAdmin, ServiceRecordAdmin
from apps.settlement import reconciliation
from apps.settlement.models import (
    AssessmentFeeLine,
    CityAdvance,
    FundingReconciliation,
    ProviderSettlement,
    SettlementDocument,
    SettlementLine,
    SettlementRun,
    Withholding,
)


class ProviderSettlementInline(ReadOnlyInline):
    model = ProviderSettlement
    fields = ["provider", "status", "visits", "elders", "subsidy", "bonus", "adjustments",
              "payable"]


@admin.register(SettlementRun)
class SettlementRunAdmin(ServiceRecordAdmin):
    list_display = ["district", "month", "status", "visits", "subsidy", "bonus", "payable",
                    "reviewed_by", "approved_by", "review_note"]
    list_filter = ["status"]
    list_select_related = ["district", "reviewed_by", "approved_by"]
    inlines = [ProviderSettlementInline]


@admin.register(ProviderSettlement)
class ProviderSettlementAdmin(ServiceRecordAdmin):
    list_display = ["run", "provider", "status", "visits", "subsidy", "bonus", "payable"]
    list_filter = ["status"]
    list_select_related = ["run__district", "provider"]


@admin.register(SettlementLine)
class SettlementLineAdmin(ServiceRecordAdmin):
    list_display = ["run", "provider", "elder", "visit", "cost", "subsidy", "elder_pays",
                    "bonus", "is_adjustment"]
    list_filter = ["is_adjustment"]
    list_select_related = ["run__district", "provider", "elder", "visit"]


@admin.register(AssessmentFeeLine)
class AssessmentFeeLineAdmin(ServiceRecordAdmin):
    list_display = ["run", "body", "month", "statement", "amount"]
    list_select_related = ["run__district", "body", "statement__body", "statement__district"]


@admin.register(Withholding)
class WithholdingAdmin(ServiceRecordAdmin):
    list_display = ["run", "provider", "finding", "amount"]
    list_select_related = ["run__district", "provider", "finding"]


@admin.register(SettlementDocument)
class SettlementDocumentAdmin(ServiceRecordAdmin):
    # the file itself is downloaded from the run's page (no-store), not here
    list_display = ["run", "kind", "provider", "run_status", "size", "generated_at"]
    list_filter = ["kind", "run_status"]
    list_select_related = ["run__district", "provider"]
    exclude = ["file"]


class CityAdvanceAdminForm(forms.ModelForm):
    """The advance's own checks (amount, day), and none once the year's
    reconciliation is final; saved through ``record_advance``."""

    class Meta:
        model = CityAdvance
        fields = ["district", "year", "amount", "paid_on", "reference"]

    def clean(self):
        data = super().clean()
        district = data.get("district") or getattr(self.instance, "district", None)
        year = data.get("year") or self.instance.year
        if district is not None and year and FundingReconciliation.objects.filter(
                district=district, year=year).exists():
            raise forms.ValidationError(
                _("The reconciliation of %(year)s is final: its advance can no longer "
                  "change.") % {"year": year}, code="final")
        if all(data.get(name) is not None for name in ("amount", "paid_on")) and year:
            reconciliation.check_advance(year, data["amount"], data["paid_on"])
        return data


@admin.register(CityAdvance)
class CityAdvanceAdmin(ScopedAdmin):
    """The city's advances (Art 33): recorded and corrected like on the
    reconciliation screen, through the one service; the district and year
    of a recorded advance stay, and a year whose reconciliation is final is
    neither corrected nor deleted."""

    form = CityAdvanceAdminForm
    list_display = ["district", "year", "amount", "paid_on", "reference", "recorded_by",
                    "updated_at"]
    list_filter = ["year"]
    list_select_related = ["district", "recorded_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["district", "year", "recorded_by"] if obj else ["recorded_by"]

    def _is_final(self, obj) -> bool:
        return obj is not None and FundingReconciliation.objects.filter(
            district_id=obj.district_id, year=obj.year).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_final(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_final(obj)

    def save_model(self, request, obj, form, change):
        saved = reconciliation.record_advance(
            district=obj.district, year=obj.year, amount=obj.amount, paid_on=obj.paid_on,
            reference=obj.reference, user=request.user)
        obj.pk, obj.recorded_by = saved.pk, saved.recorded_by


@admin.register(FundingReconciliation)
class FundingReconciliationAdmin(ServiceRecordAdmin):
    list_display = ["district", "year", "advance", "spending", "city_share", "district_share",
                    "balance", "ratios", "confirmed_by", "confirmed_at"]
    list_filter = ["year"]
    list_select_related = ["district", "confirmed_by"]
