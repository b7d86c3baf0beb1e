"""Logging in: the login page, which says why a session ended; the second login factor (TOTP,
django-otp): who must have one, and the two pages that set one up and ask for its code. The
middleware that sends users here is desmigratif.middleware.TwoFactorMiddleware."""

from __future__ import annotations

import base64
from typing import Any

import segno
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from desmigratif.access import AnyUser, current_assignments
from desmigratif.http import AuthenticatedHttpRequest, AxesHttpRequest
from desmigratif.middleware import SIGNED_IN_COOKIE
from desmigratif.models import Role

# Roles whose accounts reach national data or every record: a password alone is not enough.
TWO_FACTOR_ROLES = {Role.ADMINISTRATOR, Role.ANALYST}


class PortalLoginView(LoginView):
    """Django's login page, saying why the user is asked to log in again when a session ended:
    after SESSION_IDLE_TIMEOUT without activity, SESSION_ABSOLUTE_TIMEOUT after the login
    (``?ended=``, from SessionTimeoutMiddleware), or when the session cookie expired in the
    browser (the ``signed_in`` cookie is still there, DraftsMiddleware)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ended = self.request.GET.get("ended", "")
        if ended not in ("idle", "absolute") and self.request.GET.get("next"):
            ended = "expired" if self.request.COOKIES.get(SIGNED_IN_COOKIE) == "1" else ""
        reasons = {
            "idle": _("Your session ended after %(minutes)d minutes without activity.")
            % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60},
            "absolute": _("Your session ended %(hours)d hours after you logged in.")
            % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600},
            "expired": _("Your session has ended."),
        }
        context["session_ended"] = reasons.get(ended, "")
        return context


def requires_two_factor(user: AnyUser) -> bool:
    # Staff reach the admin and its import, where one session touches many records.
    if user.is_superuser or user.is_staff:
        return True
    return any(assignment.role in TWO_FACTOR_ROLES for assignment in current_assignments(user))


def has_device(user: AnyUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code of the user's device, once per session."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not right, or it has expired. Try the current one."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new authenticator: the QR code (or the key to type), confirmed with a first code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if has_device(user):  # one confirmed device is enough; asking for it is the verify page's job
        return redirect("two-factor-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not right, or it has expired. Try the current one."))
    context: dict[str, Any] = {
        "form": form,
        "next": _next(request),
        "required": requires_two_factor(user),
        "qr_code": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff"),
        "key": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "registration/two_factor_setup.html", context)


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with a second, wider limit: beside the one per username and
    address (5 failures), one per address over all usernames (50 in 15 minutes by default:
    high enough for a village office's shared connection, low enough to slow password
    spraying). Failures during a lockout are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
    LOCKOUT off), so a lockout ends 15 minutes after it began however often someone tries."""

    def is_locked(self, request: AxesHttpRequest, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        failures = AccessFailureLog.objects.filter(ip_address=request.axes_ip_address, attempt_time__gte=since).count()
        request.address_locked = failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return request.address_locked
