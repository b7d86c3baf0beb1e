"""The portal's URLs plus one page that forgot its scoping, for the permission matrix's own test."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import path
from django.views.generic import DetailView

from desmigratif.urls import urlpatterns as portal
from households.models import Household


class LeakyHouseholdView(LoginRequiredMixin, DetailView):
    model = Household  # no ScopedQuerysetMixin: every household of the country

    def render_to_response(self, context, **kwargs):
        return HttpResponse(str(self.object))


urlpatterns = [*portal, path("bocor/<int:pk>/", LeakyHouseholdView.as_view(), name="leak")]
