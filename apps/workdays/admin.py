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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "year"]
    list_filter = ["is_workday", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]
