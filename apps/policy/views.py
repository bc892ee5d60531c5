from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import ListView

from apps.policy.models import PolicyValue


class PolicyValueListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Every parameter with the version in force today, and its history."""

    permission_required = "policy.view_policyvalue"
    template_name = "policy/value_list.html"

    def get_queryset(self):
        return PolicyValue.objects.select_related("region").order_by(
            "key", "region__code", "-valid_from")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        in_force = set(PolicyValue.objects.in_force(today).values_list("pk", flat=True))
        context["today"] = today
        context["rows"] = [
            {"value": v, "in_force": v.pk in in_force, "future": v.valid_from > today}
            for v in context["object_list"]
        ]
        return context
