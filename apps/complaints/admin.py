"""Complaints in Django admin, read-only: recording, taking up and resolving
go through the services (numbering, deadlines, transitions), which the staff
screens and the API call."""

from django.contrib import admin

from apps.complaints.models import Complaint
from apps.core.admin import ServiceRecordAdmin


@admin.register(Complaint)
class ComplaintAdmin(ServiceRecordAdmin):
    list_display = ["reference", "provider", "street", "received_on", "category", "status",
                    "due_on", "upheld"]
    list_filter = ["status", "category", "source"]
    list_select_related = ["provider", "street"]
    search_fields = ["reference", "provider__name"]
    date_hierarchy = "received_on"
    exclude = ["complainant_phone"]
