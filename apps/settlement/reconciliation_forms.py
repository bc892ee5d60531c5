"""Forms of the funding reconciliation screens: the year shown, and the
city's advance to a district for a year (recorded or corrected)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.regions.models import Region, RegionKind
from apps.settlement import reconciliation
from apps.settlement.reconciliation import MAX_YEAR, MIN_YEAR


def default_year() -> int:
    """The year being cleared: the one before today's."""
    return timezone.localdate().year - 1


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "year_%s")
        super().__init__(data, **kwargs)
        self.fields["year"].initial = default_year()

    @property
    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return default_year()


class AdvanceForm(forms.Form):
    """The city's advance to a district for a year; the service refuses a
    year whose reconciliation is final."""

    district = forms.ModelChoiceField(label=_("District"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    amount = forms.DecimalField(label=_("Amount advanced"), max_digits=14, decimal_places=2,
                                min_value=0)
    paid_on = forms.DateField(label=_("Advanced on"),
                              widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("In the year, or in the December before it."))
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "advance_%s")
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Region.objects.visible_to(user).filter(
            kind=RegionKind.DISTRICT).order_by("code")

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in ("year", "amount", "paid_on")):
            try:
                reconciliation.check_advance(data["year"], data["amount"], data["paid_on"])
            except ValidationError as error:
                for name, errors in error.error_dict.items():
                    for item in errors:
                        self.add_error(name, item)
        return data
