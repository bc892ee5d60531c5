from django.contrib import admin

from apps.workdays.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 10
    fields = ["date", "is_workday", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Enter a year's official schedule: the year and all its holidays and
    make-up working days, saved together in one form."""

    list_display = ["year", "source", "entered_at"]
    inlines = [CalendarDayInline]

    def save_related(self, request, form, formsets, change):
        # Once the year and its days are saved, deadlines counted through it
        # on a provisional Monday–Friday basis are counted again for real.
        super().save_related(request, form, formsets, change)
        from apps.applications.services import recompute_provisional_deadlines

        recompute_provisional_deadlines()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "year"]
    list_filter = ["is_workday", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]
