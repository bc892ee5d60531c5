from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalogue import rules
from apps.catalogue.models import GuidePrice, ServiceItem


class GuidePriceInline(admin.TabularInline):
    """The item's price versions; a new price is a new row (Art 19)."""

    model = GuidePrice
    extra = 0
    can_delete = False
    fields = ["valid_from", "price", "basis"]
    ordering = ["-valid_from"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "unit", "price_today", "min_duration_minutes",
                    "bonus_eligible", "is_active"]
    list_filter = ["category", "bonus_eligible", "is_active"]
    search_fields = ["code", "name"]
    inlines = [GuidePriceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_guide_price(timezone.localdate())

    def save_formset(self, request, form, formset, change):
        for version in formset.save(commit=False):
            if version.pk is None:
                version.created_by = request.user
            version.save()
        formset.save_m2m()

    @admin.display(description=_("guide price in force"), ordering="guide_price")
    def price_today(self, item):
        return item.guide_price


@admin.register(GuidePrice)
class GuidePriceAdmin(admin.ModelAdmin):
    """Versions of the guide prices; one that has started is read-only."""

    list_display = ["item", "price", "valid_from", "basis", "created_at"]
    list_filter = ["item__category", "valid_from"]
    search_fields = ["item__code", "item__name", "basis"]
    list_select_related = ["item"]
    readonly_fields = ["created_by"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not rules.may_change(obj.valid_from, timezone.localdate()):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not rules.may_change(obj.valid_from, timezone.localdate()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
