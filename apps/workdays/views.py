from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from apps.workdays.forms import DeadlineForm
from apps.workdays.models import CalendarDay, CalendarYear
from apps.workdays.working_days import add_working_days


class CalendarView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A year's holidays and make-up days, and a deadline calculator."""

    permission_required = "workdays.view_calendarday"
    template_name = "workdays/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year", today.year))
        except ValueError:
            year = today.year
        form = DeadlineForm(self.request.GET if "start" in self.request.GET else None)
        due = add_working_days(form.cleaned_data["start"], form.cleaned_data["working_days"]) \
            if form.is_bound and form.is_valid() else None
        context.update(
            year=year,
            years=CalendarYear.objects.all(),
            year_known=CalendarYear.objects.filter(year=year).exists(),
            days=CalendarDay.objects.filter(date__year=year),
            form=form,
            due=due,
        )
        return context
