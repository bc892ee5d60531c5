"""URLs for the test proving the leak walk fails on a forgetful view."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import DetailView, ListView

from apps.elders.models import Elder


class ForgetfulList(LoginRequiredMixin, ListView):
    model = Elder

    def render_to_response(self, context, **kwargs):
        return HttpResponse(", ".join(e.name for e in self.get_queryset()))


class ForgetfulDetail(LoginRequiredMixin, DetailView):
    model = Elder

    def render_to_response(self, context, **kwargs):
        return HttpResponse(self.object.name)


urlpatterns = [
    path("", include("eldercare.urls")),
    path("leaky/elders/", ForgetfulList.as_view()),
    path("leaky/elders/<int:pk>/", ForgetfulDetail.as_view()),
]
