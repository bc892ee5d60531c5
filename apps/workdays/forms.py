from django import forms
from django.utils.translation import gettext_lazy as _


class DeadlineForm(forms.Form):
    start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=366,
                                      initial=5)
