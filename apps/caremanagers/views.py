"""The casework screens (Art 5): each street's care managers with their
caseloads, one care manager's elders with assign and reassign, and the
staffing of every street against the 1:50 ratio. Reads go through
``visible_to``; assigning calls the one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from apps.accounts.roles import Role
from apps.caremanagers import queries, rules, services
from apps.caremanagers.forms import AssignForm
from apps.caremanagers.models import CareManager, CaseAssignment
from apps.core.forms import add_service_errors
from apps.core.views import ScopedViewMixin
from apps.regions.models import Region

VIEW = "caremanagers.view_caremanager"
ASSIGN = "caremanagers.add_caseassignment"

FLAG_LABELS = {
    rules.RATIO: gettext_lazy("Fewer qualified care managers than the ratio needs"),
    rules.UNQUALIFIED: gettext_lazy("Care managers without the junior social-worker qualification"),
    rules.UNASSIGNED: gettext_lazy("Subsidised elders without a care manager"),
}


def _labelled(flags: list[str]) -> list[tuple[str, str]]:
    """The staffing flags with their labels, in the rules' order."""
    return [(flag, FLAG_LABELS[flag]) for flag in flags]


class CareManagerListView(ScopedViewMixin, ListView):
    """The care managers of the user's street(s), with caseloads and flags;
    a care manager with an account goes straight to their own caseload."""

    model = CareManager
    permission_required = VIEW
    template_name = "caremanagers/manager_list.html"

    def get(self, request, *args, **kwargs):
        own = getattr(request.user, "care_manager", None) if (
            request.user.role == Role.CARE_MANAGER) else None
        if own is not None:
            return redirect("caremanagers:caseload", pk=own.pk)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (super().get_queryset().with_caseload().select_related("street")
                .order_by("street__path", "-active", "name", "pk"))


class StreetStaffingView(ScopedViewMixin, ListView):
    """Every street in the user's jurisdiction: subsidised elders, qualified
    care managers, the ratio and the flags (one query, plus the ratio)."""

    model = Region
    permission_required = VIEW
    template_name = "caremanagers/street_list.html"

    def get_queryset(self):
        return queries.with_staffing(super().get_queryset()).select_related("parent") \
            .order_by("path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ratios = {}
        for street in context["object_list"]:
            if street.parent_id not in ratios:
                ratios[street.parent_id] = queries.ratio_on(today, street)
            street.staffing = queries.staffing(street, ratios[street.parent_id])
            street.staffing_flags = _labelled(street.staffing.flags)
        return context


class CaseloadView(ScopedViewMixin, DetailView):
    """One care manager's elders now, with the assign and reassign forms."""

    model = CareManager
    permission_required = VIEW
    template_name = "caremanagers/caseload.html"

    def get_queryset(self):
        return super().get_queryset().select_related("street__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        manager, user, today = self.object, self.request.user, timezone.localdate()
        assignments = (CaseAssignment.objects.visible_to(user).open()
                       .filter(care_manager=manager).select_related("elder")
                       .order_by("elder__name", "pk"))
        can_assign = user.has_perm(ASSIGN)
        others = []
        if can_assign:
            others = list(CareManager.objects.visible_to(user).active()
                          .filter(street=manager.street_id).exclude(pk=manager.pk))
        staffing = queries.staffing_of(manager.street, today)
        context.update(
            assignments=assignments, can_assign=can_assign, others=others,
            assign_form=AssignForm(user=user, street=manager.street,
                                   initial={"care_manager": manager.pk})
            if can_assign and manager.active else None,
            staffing=staffing, staffing_flags=_labelled(staffing.flags), today=today)
        return context


class AssignView(ScopedViewMixin, FormView):
    """Assign (or reassign) an elder to a care manager of their service street."""

    model = CaseAssignment
    permission_required = ASSIGN
    template_name = "caremanagers/assign_form.html"
    form_class = AssignForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {key: self.request.GET[key] for key in ("elder", "care_manager")
                if self.request.GET.get(key, "").isdigit()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            assignment = services.assign(elder=data["elder"], care_manager=data["care_manager"],
                                         on=data["on"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(elder)s is now looked after by %(manager)s.")
                         % {"elder": assignment.elder.name,
                            "manager": assignment.care_manager.name})
        return redirect("caremanagers:caseload", pk=assignment.care_manager_id)

