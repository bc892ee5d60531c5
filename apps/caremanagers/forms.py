"""Assign an elder to a care manager; the choices are the user's scope, the
rules (same street, one open assignment) are the service's."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.caremanagers.models import CareManager
from apps.caremanagers.queries import subsidised_entitlements
from apps.core.scoping import choices_for
from apps.elders.forms import DateInput
from apps.elders.models import Elder


def _today():
    return timezone.localdate()


class CareManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.street.name} · {obj.get_qualification_display()}"


class AssignForm(forms.Form):
    elder = forms.ModelChoiceField(label=_("Elder"), queryset=Elder.objects.none())
    care_manager = CareManagerChoiceField(label=_("Care manager"),
                                          queryset=CareManager.objects.none())
    on = forms.DateField(label=_("From"), initial=_today, widget=DateInput,
                         help_text=_("The elder's previous assignment ends the day before."))

    def __init__(self, *args, user, street=None, **kwargs):
        super().__init__(*args, **kwargs)
        managers = choices_for(CareManager, user).active().select_related("street")
        # the subsidised elders are the ones Art 5 counts; anyone in scope may be posted
        elders = choices_for(Elder, user)
        offered = elders.filter(pk__in=subsidised_entitlements().values("elder"))
        if street is not None:
            managers = managers.filter(street=street)
            offered = offered.filter(pk__in=subsidised_entitlements().filter(
                service_street=street).values("elder"))
        self.fields["care_manager"].queryset = managers
        self.fields["elder"].queryset = elders
        self.fields["elder"].choices = [("", "---------"),
                                        *((e.pk, e.name) for e in offered.only("pk", "name"))]
