"""Forms of the visit screens. They check the shape of the input only:
whether a visit is acceptable is the intake's to decide (``intake.submit``),
for the form as for the spreadsheet and the API. Every choice is a row the
user may see."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalogue.models import ServiceItem
from apps.providers.models import Provider
from apps.visits.models import CheckMethod, Confirmation
from apps.visits.reasons import Flag
from apps.visits.services import PHOTO_MAX_BYTES

# Art 16: a non-local elder has no citizen card; the provider enters the
# visit by hand and says why.
NON_LOCAL_REASON = _("Non-local hukou, no citizen card")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (local time, to the minute)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):
        super().__init__(attrs=attrs, format=format)


def _method_choices(elder) -> list[tuple[str, str]]:
    """Art 16: the citizen card only for a local-hukou elder."""
    if elder is not None and elder.local_hukou:
        return list(CheckMethod.choices)
    return [(CheckMethod.MANUAL.value, CheckMethod.MANUAL.label)]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ElderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} {obj.id_number_masked}"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_unit_display()})"


class PhotoField(forms.ImageField):
    """An optional photo of the visit, at most 5 MB."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photo"))
        kwargs.setdefault("help_text", _("Optional; an image of at most 5 MB."))
        kwargs.setdefault("widget", forms.ClearableFileInput(
            attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB."), code="too_large")
        return upload


def _offer_items_and_caregivers(form, items, caregivers) -> None:
    """The agreement's items; the caregiver is the signed-in user's roster
    entry (``caregivers`` None: no field) or one of the provider's staff."""
    form.fields["service_item"].queryset = items
    if caregivers is None:
        del form.fields["caregiver"]
    else:
        form.fields["caregiver"].queryset = caregivers
        form.fields["caregiver"].required = True


class CheckInForm(forms.Form):
    """At the elder's door: the item, who serves, how the elder confirmed
    the arrival. The time is the server's; the position comes from the
    phone when the caregiver allows it."""

    service_item = ItemChoiceField(label=_("Service item"), queryset=ServiceItem.objects.none(),
                                   widget=forms.RadioSelect, empty_label=None)
    caregiver = StaffChoiceField(label=_("Caregiver"), queryset=None, required=False,
                                 empty_label=None)
    check_in_method = forms.ChoiceField(label=_("Check-in method"), widget=forms.RadioSelect)
    check_in_reason = forms.CharField(
        label=_("Reason for manual check-in"), max_length=200, required=False,
        help_text=_("Needed when the citizen card is not used (Art 16)."))
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False,
                                  min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False,
                                   min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, elder, items, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_items_and_caregivers(self, items, caregivers)
        choices = _method_choices(elder)
        self.fields["check_in_method"].choices = choices
        self.fields["check_in_method"].initial = choices[0][0]
        if not elder.local_hukou:
            self.fields["check_in_reason"].initial = NON_LOCAL_REASON


class CheckOutForm(forms.Form):
    """Leaving: how the elder confirmed, what was done, an optional photo."""

    check_out_method = forms.ChoiceField(label=_("Check-out method"), widget=forms.RadioSelect)
    check_out_reason = forms.CharField(
        label=_("Reason for manual check-out"), max_length=200, required=False,
        help_text=_("Needed when the citizen card is not used (Art 16)."))
    notes = forms.CharField(label=_("What was done"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    # No answer is chosen for the caregiver: who confirmed is asked every time.
    confirmation = forms.ChoiceField(label=_("Confirmed by"), choices=Confirmation.choices,
                                     widget=forms.RadioSelect)
    confirmed_by_name = forms.CharField(label=_("Name of the agent or family member"),
                                        max_length=50, required=False)
    photo = PhotoField()

    def __init__(self, *args, elder, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _method_choices(elder)
        self.fields["check_out_method"].choices = choices
        self.fields["check_out_method"].initial = choices[0][0]
        if not elder.local_hukou:
            self.fields["check_out_reason"].initial = NON_LOCAL_REASON

    def clean(self):
        data = super().clean()
        if data.get("confirmation") == Confirmation.AGENT and not data.get("confirmed_by_name"):
            self.add_error("confirmed_by_name", forms.ValidationError(
                _("Give the name of the agent or family member who confirmed."),
                code="agent_name_required"))
        return data


def _same_minute(a, b) -> bool:
    """Equal to the minute (the picker shows no seconds); offsets are whole
    minutes, so truncating in either time zone agrees."""
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


class DraftEditForm(forms.Form):
    """Fix a visit under way after a refusal: another item, the times (a
    changed time is a manual entry and needs its reason), what was done."""

    service_item = ItemChoiceField(label=_("Service item"), queryset=ServiceItem.objects.none(),
                                   widget=forms.RadioSelect, empty_label=None)
    caregiver = StaffChoiceField(label=_("Caregiver"), queryset=None, required=False,
                                 empty_label=None)
    check_in_at = forms.DateTimeField(label=_("Checked in at"), widget=DateTimeInput)
    check_in_method = forms.ChoiceField(label=_("Check-in method"), widget=forms.RadioSelect)
    check_in_reason = forms.CharField(label=_("Reason for manual check-in"), max_length=200,
                                      required=False)
    check_out_at = forms.DateTimeField(label=_("Checked out at"), widget=DateTimeInput)
    check_out_method = forms.ChoiceField(label=_("Check-out method"), widget=forms.RadioSelect)
    check_out_reason = forms.CharField(label=_("Reason for manual check-out"), max_length=200,
                                       required=False)
    notes = forms.CharField(label=_("What was done"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    confirmation = forms.ChoiceField(label=_("Confirmed by"), choices=Confirmation.choices,
                                     widget=forms.RadioSelect)
    confirmed_by_name = forms.CharField(label=_("Name of the agent or family member"),
                                        max_length=50, required=False)
    photo = PhotoField(help_text=_("Optional; a new image replaces the one kept, "
                                   "at most 5 MB."))

    def __init__(self, *args, draft, items, caregivers=None, **kwargs):
        self.draft = draft
        kwargs.setdefault("initial", {
            "service_item": draft.service_item_id, "caregiver": draft.caregiver_id,
            "check_in_at": timezone.localtime(draft.check_in_at),
            "check_in_method": draft.check_in_method, "check_in_reason": draft.check_in_reason,
            "check_out_at": (timezone.localtime(draft.check_out_at)
                             if draft.check_out_at else None),
            "check_out_method": draft.check_out_method or draft.check_in_method,
            "check_out_reason": draft.check_out_reason, "notes": draft.notes,
            "confirmation": draft.confirmation,
            "confirmed_by_name": draft.confirmed_by_name})
        super().__init__(*args, **kwargs)
        _offer_items_and_caregivers(self, items, caregivers)
        for name in ("check_in_method", "check_out_method"):
            self.fields[name].choices = _method_choices(draft.elder)

    def clean(self):
        data = super().clean()
        for side in ("check_in", "check_out"):
            at = data.get(f"{side}_at")
            stored = getattr(self.draft, f"{side}_at")
            if at is None:
                continue
            if _same_minute(at, stored):
                # unchanged on the minute picker: keep the exact time recorded
                data[f"{side}_at"] = stored
                continue
            # a time typed in is not a card swipe
            data[f"{side}_method"] = CheckMethod.MANUAL
            if not (data.get(f"{side}_reason") or "").strip():
                self.add_error(f"{side}_reason", forms.ValidationError(
                    _("A changed time is entered by hand: give the reason."),
                    code="manual_reason_required"))
        if data.get("confirmation") == Confirmation.AGENT and not data.get("confirmed_by_name"):
            self.add_error("confirmed_by_name", forms.ValidationError(
                _("Give the name of the agent or family member who confirmed."),
                code="agent_name_required"))
        return data


class VisitForm(forms.Form):
    """The office's form of a whole visit: a correction of an accepted one
    (a new version, with its reason) or a refused row sent again."""

    elder = ElderChoiceField(label=_("Elder"), queryset=None)
    service_item = ItemChoiceField(label=_("Service item"),
                                   queryset=ServiceItem.objects.filter(is_active=True))
    caregiver = StaffChoiceField(label=_("Caregiver"), queryset=None)
    check_in_at = forms.DateTimeField(label=_("Checked in at"), widget=DateTimeInput)
    check_in_method = forms.ChoiceField(label=_("Check-in method"), choices=CheckMethod.choices,
                                        widget=forms.RadioSelect)
    check_in_reason = forms.CharField(label=_("Reason for manual check-in"), max_length=200,
                                      required=False)
    check_out_at = forms.DateTimeField(label=_("Checked out at"), widget=DateTimeInput)
    check_out_method = forms.ChoiceField(label=_("Check-out method"),
                                         choices=CheckMethod.choices, widget=forms.RadioSelect)
    check_out_reason = forms.CharField(label=_("Reason for manual check-out"), max_length=200,
                                       required=False)
    units = forms.DecimalField(label=_("Units"), max_digits=8, decimal_places=2, min_value=0,
                               required=False,
                               help_text=_("Empty: worked out from the item and the times."))
    notes = forms.CharField(label=_("What was done"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    confirmation = forms.ChoiceField(label=_("Confirmed by"), choices=Confirmation.choices,
                                     widget=forms.RadioSelect, initial=Confirmation.NONE)
    confirmed_by_name = forms.CharField(label=_("Name of the agent or family member"),
                                        max_length=50, required=False)
    photo = PhotoField(help_text=_("Optional; a new image replaces the one kept, "
                                   "at most 5 MB."))
    correction_reason = forms.CharField(
        label=_("Reason for the correction"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to change a visit already accepted; kept with the new version."))

    def __init__(self, *args, elders, caregivers, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = elders
        self.fields["caregiver"].queryset = caregivers
        if correction:
            self.fields["correction_reason"].required = True


class VisitFilterForm(forms.Form):
    """The visit list's filters; every choice is one the user may see."""

    month = forms.CharField(label=_("Month"), required=False,
                            widget=forms.TextInput(attrs={"type": "month",
                                                          "placeholder": "YYYY-MM"}))
    provider = forms.ModelChoiceField(label=_("Service provider"), required=False,
                                      queryset=Provider.objects.none(),
                                      empty_label=_("All providers"))
    service_item = forms.ModelChoiceField(label=_("Service item"), required=False,
                                          queryset=ServiceItem.objects.all(),
                                          empty_label=_("All items"))
    flag = forms.ChoiceField(label=_("Flag"), required=False,
                             choices=[("", _("Any")), *Flag.choices])
    elder_name = forms.CharField(label=_("Elder's name"), max_length=50, required=False)
    elder = forms.IntegerField(required=False, widget=forms.HiddenInput)
    all_versions = forms.BooleanField(label=_("Show superseded versions"), required=False)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def clean_month(self):
        month = self.cleaned_data.get("month") or ""
        if month and not MONTH.match(month):
            raise forms.ValidationError(_("Write the month as YYYY-MM."), code="invalid")
        return month
