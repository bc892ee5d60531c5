"""Findings in Django admin, read-only: they are raised by the checks and
decided through the services, never edited by hand."""

from django.contrib import admin

from apps.core.admin import ServiceRecordAdmin
from apps.findings.models import Finding


@admin.register(Finding)
class FindingAdmin(ServiceRecordAdmin):
    list_display = ["rule", "summary", "district", "month", "provider", "amount", "status"]
    list_filter = ["status", "rule"]
    list_select_related = ["district", "provider"]
    search_fields = ["summary", "source_key", "provider__name"]
    date_hierarchy = "month"
