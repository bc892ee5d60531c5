from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes


@track_changes()
class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered, with its
    days (entered together, in one admin form).

    Days of a year without this row count Monday to Friday and every
    deadline that reaches them is provisional.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200,
                              help_text=_("For example the State Council notice number."))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


@track_changes()
class CalendarDay(models.Model):
    """A day that departs from Monday–Friday: a public holiday on a weekday
    (``is_workday`` false) or a make-up working weekend day (true)."""

    year = models.ForeignKey(CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE,
                             related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("occasion"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} {kind} {self.name}".strip()

    def clean(self):
        try:
            year = self.year  # set, though perhaps unsaved, in the year's form
        except CalendarYear.DoesNotExist:
            return
        if self.date and self.date.year != year.year:
            raise ValidationError({"date": ValidationError(
                _("The date must lie in %(year)s."), params={"year": year.year},
                code="date_outside_year")})
