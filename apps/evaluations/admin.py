from django.contrib import admin

from apps.core.admin import ServiceRecordAdmin
from apps.evaluations.models import (
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    GradeBand,
    ProviderGrade,
)


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(admin.ModelAdmin):
    """The score sheet (Art 23: 评估细则). Deactivate a criterion rather than
    deleting it: past scores keep pointing at it."""

    list_display = ["code", "label", "maximum", "category", "order", "active"]
    list_filter = ["active", "category"]
    search_fields = ["code", "label"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GradeBand)
class GradeBandAdmin(admin.ModelAdmin):
    list_display = ["grade", "min_total"]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "points", "maximum"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ServiceRecordAdmin):
    """Evaluations are read here; every step goes through the staff screens
    or the API, so the dates and grades always follow the rules."""

    list_display = ["provider", "category", "year", "district", "status", "total", "grade",
                    "final_grade"]
    list_filter = ["status", "category", "year", "final_grade"]
    search_fields = ["provider__name"]
    list_select_related = ["provider", "district"]
    inlines = [CriterionScoreInline]


@admin.register(ProviderGrade)
class ProviderGradeAdmin(ServiceRecordAdmin):
    list_display = ["provider", "category", "year", "grade", "effective_from"]
    list_filter = ["category", "year", "grade"]
    search_fields = ["provider__name"]
    list_select_related = ["provider"]
