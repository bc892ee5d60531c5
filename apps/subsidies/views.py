from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core.forms import add_service_errors
from apps.core.views import ScopedObjectFormMixin
from apps.elders.forms import DateInput
from apps.subsidies.models import Entitlement
from apps.subsidies.services import cancel_for_fraud, paid_upper_bound


class FraudCancellationForm(forms.Form):
    cancelled_on = forms.DateField(label=gettext_lazy("Fraud found on"), widget=DateInput)
    recovery_amount = forms.DecimalField(label=gettext_lazy("Amount to recover (yuan)"),
                                         max_digits=12, decimal_places=2)
    end_note = forms.CharField(label=gettext_lazy("Reason"),
                               widget=forms.Textarea(attrs={"rows": 3}))


class EntitlementCancelView(ScopedObjectFormMixin, FormView):
    """Cancel an entitlement obtained by fraud and record what to recover (Art 36)."""

    model = Entitlement
    permission_required = "subsidies.cancel_entitlement"
    form_class = FraudCancellationForm
    template_name = "subsidies/entitlement_cancel.html"

    def get_initial(self):
        return {"cancelled_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upper_bound"] = paid_upper_bound(self.object, timezone.localdate())
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            cancel_for_fraud(entitlement=self.object, found_on=data["cancelled_on"],
                             recovery_amount=data["recovery_amount"], reason=data["end_note"],
                             by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The entitlement is cancelled."))
        return redirect("elders:elder_detail", pk=self.object.elder_id)
