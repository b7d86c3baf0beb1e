"""Typed requests: what the portal's middleware adds to Django's ``HttpRequest``, for mypy.

Django types ``request.user`` as ``User | AnonymousUser`` and knows nothing of ``request.htmx``.
A view behind ``login_required``, ``LoginRequiredMixin`` (the access module's mixins and
``VersionedFormView`` included) or ``scope_required`` only ever sees a signed-in user: such views
annotate their request as ``AuthenticatedHttpRequest`` (class-based views declare
``request: AuthenticatedHttpRequest``). These are annotations only: at run time a request is
still Django's own, nothing is checked or converted (docs/architecture.md, "Type checking").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from desmigratif.models import User


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's ``HtmxMiddleware``: ``request.htmx`` says whether htmx sent it."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request of a signed-in user (the login is required before the view runs)."""

    user: User


class AxesHttpRequest(HttpRequest):
    """A sign-in attempt as django-axes hands it to its handler (desmigratif.accounts.LoginThrottle)."""

    axes_ip_address: str  # the client's address, as django-axes determined it
    address_locked: bool  # set by LoginThrottle: the address, not the account, is locked out


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` where a login is required before the code runs (the admin site, which
    admits active staff only): for code whose request cannot be annotated (a method Django's
    own classes call with an ``HttpRequest``). A request without a login is refused."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
