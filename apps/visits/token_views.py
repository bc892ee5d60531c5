"""The API keys page: a provider's staff list, create and revoke the keys
their own system uses; a new key is shown once, in the answer to its
creation, and never again. District staff see (and may revoke) the keys of
their district's providers."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.scoping import get_visible_or_404
from apps.visits import tokens
from apps.visits.models import ProviderApiToken


class TokenForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Name of the key"), max_length=100,
                            help_text=gettext_lazy("The system that will use it, e.g. "
                                                   "the scheduling software."))


class TokenListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "visits.view_providerapitoken"
    template_name = "visits/tokens.html"

    def _render(self, request, form, status=200):
        keys = ProviderApiToken.objects.visible_to(request.user).select_related(
            "provider", "created_by").order_by("provider__name", "-created_at")
        return render(request, self.template_name, {
            "form": form, "keys": keys,
            "can_create": bool(request.user.provider_id)
            and request.user.has_perm("visits.add_providerapitoken"),
            "docs_url": reverse("api-docs")}, status=status)

    def get(self, request):
        return self._render(request, TokenForm())

    def post(self, request):
        if not request.user.provider_id or not request.user.has_perm(
                "visits.add_providerapitoken"):
            raise PermissionDenied
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            token, raw = tokens.issue_token(request.user.provider, form.cleaned_data["label"],
                                            request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self._render(request, form, status=400)
        response = render(request, "visits/tokens_created.html",
                          {"token": token, "raw_key": raw})
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "visits.change_providerapitoken"
    model = ProviderApiToken

    def post(self, request, pk):
        token = get_visible_or_404(ProviderApiToken, request.user, pk=pk)
        tokens.revoke_token(token, request.user)
        messages.success(request, _("The key %(label)s is revoked: it no longer works.")
                         % {"label": token.label})
        return redirect("visits:tokens")
