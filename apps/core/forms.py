"""Form plumbing shared by the staff screens."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH_FORMAT = "%Y-%m"


def add_service_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to ``form``, field by field.

    Errors on fields the form does not show become form-wide errors, so
    nothing a service refused goes unexplained.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        for item in errors:
            form.add_error(target, item)


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), cleaned to its first day."""

    input_formats = [MONTH_FORMAT]
    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class PastMonthForm(forms.Form):
    """A month that has begun, for an action on it (compile, sample) on a page
    that also has a month filter: ``id_prefix`` keeps the two ids apart."""

    month = MonthField(label=_("Month"))
    id_prefix = "month"
    future_message = _("A month still to come cannot be chosen.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(self.future_message, code="future")
        return month

