from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import assign_role
from apps.core.admin import ReadOnlyAdminMixin, ScopedAdmin


@admin.register(User)
class StaffAdmin(ScopedAdmin, DjangoUserAdmin):
    """Staff of the user's own jurisdiction. The role decides the groups;
    only superusers grant superuser status or individual permissions."""

    list_display = ["username", "last_name", "first_name", "role", "region", "provider",
                    "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["region", "provider"]
    search_fields = ["username", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["last_name", "first_name", "email"]}),
        (_("Role and jurisdiction"), {"fields": ["role", "region", "provider"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                  "user_permissions", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "region", "provider"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # Nobody below a superuser may see, reset or change one.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined", "is_staff", "groups"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def save_model(self, request, obj, form, change):
        assign_role(user=obj, role=Role(obj.role) if obj.role else None)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Roles are read here and changed in apps/accounts/roles.py (synced by
    migration), so the groups never drift from the table."""

    list_display = ["name", "label", "permission_count"]
    readonly_fields = ["name", "permissions"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("role"))
    def label(self, group):
        return Role(group.name).label if group.name in Role.values else ""

    @admin.display(description=_("permissions"))
    def permission_count(self, group):
        return group.permissions.count()
