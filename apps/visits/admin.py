"""Visits in Django admin, read-only: every visit comes through the intake
(``intake.submit``), every follow-up through its screens; a raw admin save
would skip the rules, and the database refuses changes to a visit anyway."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ServiceRecordAdmin
from apps.visits.models import (
    FollowUp,
    IntakeBatch,
    ProviderApiToken,
    ServiceVisit,
    VisitDraft,
    VisitSubmission,
)


class ReadOnlyFieldsMixin:
    """Every field shown, none editable; a photo is linked through its
    scoped view, never by its media URL."""

    photo_view = None

    def get_fields(self, request, obj=None):
        names = [field.name for field in self.model._meta.fields if field.name != "id"]
        if "photo" in names:
            names[names.index("photo")] = "photo_link"
        return names

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("photo"))
    def photo_link(self, obj):
        if not obj.photo or self.photo_view is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse(self.photo_view, args=[obj.pk]),
                           _("View the photo"))


@admin.register(ServiceVisit)
class ServiceVisitAdmin(ReadOnlyFieldsMixin, ServiceRecordAdmin):
    photo_view = "visits:visit_photo"
    list_display = ["provider_visit_id", "version", "is_current", "service_date", "elder",
                    "service_item", "provider", "caregiver", "amount", "channel"]
    list_filter = ["is_current", "channel", "check_in_method", "service_item"]
    list_select_related = ["elder", "service_item", "provider", "caregiver"]
    search_fields = ["provider_visit_id", "elder__name"]
    date_hierarchy = "service_date"


@admin.register(VisitSubmission)
class VisitSubmissionAdmin(ReadOnlyFieldsMixin, ServiceRecordAdmin):
    list_display = ["provider_visit_id", "received_at", "provider", "channel", "outcome",
                    "row_number", "visit"]
    list_filter = ["outcome", "channel"]
    list_select_related = ["provider", "visit"]
    search_fields = ["provider_visit_id"]


@admin.register(IntakeBatch)
class IntakeBatchAdmin(ReadOnlyFieldsMixin, ServiceRecordAdmin):
    list_display = ["received_at", "provider", "channel", "filename", "rows", "accepted",
                    "rejected", "unchanged"]
    list_filter = ["channel"]
    list_select_related = ["provider"]


@admin.register(VisitDraft)
class VisitDraftAdmin(ReadOnlyFieldsMixin, ServiceRecordAdmin):
    photo_view = "visits:draft_photo"
    list_display = ["provider_visit_id", "check_in_at", "check_out_at", "elder",
                    "service_item", "provider", "caregiver"]
    list_filter = ["check_in_method"]
    list_select_related = ["elder", "service_item", "provider", "caregiver"]


@admin.register(ProviderApiToken)
class ProviderApiTokenAdmin(ServiceRecordAdmin):
    list_display = ["label", "prefix", "provider", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["provider"]
    # the digest is of no use to a reader and stays out of the page
    fields = ["provider", "user", "label", "prefix", "created_at", "created_by",
              "last_used_at", "revoked_at"]
    readonly_fields = fields


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyFieldsMixin, ServiceRecordAdmin):
    list_display = ["visit", "month", "street", "status", "outcome", "satisfaction",
                    "assigned_to", "due_on"]
    list_filter = ["status", "outcome"]
    list_select_related = ["visit", "street", "assigned_to"]
