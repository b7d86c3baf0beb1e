"""The user's own API tokens, in the portal: a list, a form to create one (its secret shown
once), and revoking. A user who must use a second factor has passed it to get here
(desmigratif.middleware.TwoFactorMiddleware), so a token is never created with the password
alone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from api.forms import TokenForm
from api.models import ApiToken
from api.services import token_create, token_revoke
from desmigratif.http import AuthenticatedHttpRequest


class TokenListView(LoginRequiredMixin, FormView):
    template_name = "api/tokens.html"
    form_class = TokenForm
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.filter(user=self.request.user)
        return context

    def form_valid(self, form: TokenForm) -> HttpResponse:
        token, secret = token_create(
            user=self.request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        # Shown once, on the page this POST renders: never stored, never put in a redirect.
        context = self.get_context_data(form=TokenForm(), new_token=token, new_secret=secret)
        response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"
        return response


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api-tokens")
