from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.elders.forms import DateInput


def _today():
    return timezone.localdate()


class GuidePriceForm(forms.Form):
    """A new version of one item's guide price; the service checks the date."""

    price = forms.DecimalField(label=_("Guide price"), min_value=0, max_digits=10,
                               decimal_places=2)
    valid_from = forms.DateField(label=_("In force from"), initial=_today, widget=DateInput,
                                 help_text=_("Today or later: a published price is never "
                                             "changed retroactively."))
    basis = forms.CharField(label=_("Basis"), max_length=200,
                            help_text=_("The document that sets the price."))
