from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.assessments import scoring
from apps.assessments.models import (
    Assessment,
    AssessmentBody,
    Assessor,
    CareNeedMapping,
    Dimension,
    FeeStatement,
    GradeBand,
    Instrument,
    Item,
    Option,
)
from apps.core.admin import ScopedAdmin, ServiceRecordAdmin


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0


class GradeBandInline(admin.TabularInline):
    model = GradeBand
    extra = 0


class CareNeedMappingInline(admin.TabularInline):
    model = CareNeedMapping
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Instrument versions: add a version for a revision of the standard
    rather than editing one that assessments were made with."""

    list_display = ["name", "code", "version", "kind", "is_default", "problem_list"]
    list_filter = ["kind", "is_default"]
    readonly_fields = ["problem_list"]
    inlines = [DimensionInline, GradeBandInline, CareNeedMappingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_parts()

    @admin.display(description=_("problems"))
    def problem_list(self, instrument):
        if instrument.pk is None or instrument.kind != "items":
            return "—"
        return "; ".join(scoring.problems(instrument.as_scoring())) or _("none")


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "dimension", "instrument"]
    list_filter = ["instrument"]
    list_select_related = ["dimension", "instrument"]
    inlines = [OptionInline]


@admin.register(AssessmentBody)
class AssessmentBodyAdmin(ScopedAdmin):
    list_display = ["name", "credit_code"]
    search_fields = ["name", "credit_code"]
    filter_horizontal = ["districts"]


@admin.register(Assessor)
class AssessorAdmin(ScopedAdmin):
    list_display = ["name", "profession", "body", "trained_on", "examination_passed_on",
                    "active"]
    list_filter = ["profession", "active"]
    search_fields = ["name"]
    list_select_related = ["body"]


@admin.register(Assessment)
class AssessmentAdmin(ServiceRecordAdmin):
    """Assessments change only through their services (scored on the server,
    locked once signed); admin shows them."""

    list_display = ["elder", "instrument", "status", "total", "final_grade", "care_level",
                    "requested_on"]
    list_filter = ["status", "reason", "final_grade"]
    list_select_related = ["elder", "instrument"]
    exclude = ["assessors"]


@admin.register(FeeStatement)
class FeeStatementAdmin(ServiceRecordAdmin):
    """Statements are compiled and issued through their services (an issued
    one never changes); admin shows them."""

    list_display = ["month", "body", "district", "status", "assessment_count", "fee_total",
                    "district_total", "elder_total"]
    list_filter = ["status", "month"]
    list_select_related = ["body", "district"]
