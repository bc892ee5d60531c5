from django.contrib import admin

from apps.core.admin import ScopedAdmin
from apps.providers.models import Provider


@admin.register(Provider)
class ProviderAdmin(ScopedAdmin):
    list_display = ["name", "credit_code", "region", "is_demo"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
