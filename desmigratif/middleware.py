"""Middleware of the portal: the Content-Security-Policy header, session timeouts, and the
second login factor.

Content-Security-Policy header for every response, the admin included.

Django 5.2 has no CSP support; Django 6.0 adds
``django.middleware.csp.ContentSecurityPolicyMiddleware`` reading the same
``SECURE_CSP`` dict, so moving to it means swapping this class in MIDDLEWARE.
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


def build_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class RefuseNulCharactersMiddleware:
    """A NUL character in a query string is never a user's: a tampered or broken link. PostgreSQL
    cannot compare text with one (every filter, search and lookup would fail with a server error),
    so the request is refused here, once, for every page and the admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(_("This link is damaged: it contains a character no page accepts."))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = build_policy(settings.SECURE_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class PrivatePagesMiddleware:
    """Pages and files for a logged-in user carry personal data (households, NIKs, children,
    exports, error files) and are opened on shared village computers: the browser and any proxy
    keep none of them (``Cache-Control: no-store``). A response that sets its own caching keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


BACKGROUND_HEADER = "X-Desmigratif-Background"


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT
    after the login. The last-seen time is written at most once a minute, so an active user
    costs one session write a minute, not one a request; each write also pushes the session's
    expiry (SESSION_COOKIE_AGE) forward."""

    STARTED, SEEN = "_session_started", "_session_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(self.STARTED, now)
            seen = session.get(self.SEEN, now)
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            ended = idle or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            # The browser checking for a new service worker, and the service worker refreshing
            # the forms it keeps (sw.js), are not the officer: they neither keep a session alive
            # nor end it (the officer's next page does, and says why).
            background = (
                request.headers.get(BACKGROUND_HEADER) == "1" or request.headers.get("Service-Worker") == "script"
            )
            if ended and background:
                return HttpResponse(status=401)
            if ended:
                logout(request)
                # The login page says why; a draft of the form is kept in the browser (drafts.js).
                login_page = f"{reverse('login')}?ended={'idle' if idle else 'absolute'}"
                return redirect_to_login(request.get_full_path(), login_url=login_page)
            if not background and (now - seen > 60 or self.SEEN not in session):
                session[self.SEEN] = now
        return self.get_response(request)


SIGNED_IN_COOKIE = "signed_in"  # says "this browser had a session", never who: see DraftsMiddleware
DRAFT_SAVED_COOKIE = "draft_saved"


class DraftsMiddleware:
    """The server's side of drafts (static/desmigratif/drafts.js) and of "your session ended".

    A form POST that a signed-in user's request answers with a redirect was saved: the response
    names its path in a short-lived ``draft_saved`` cookie, and the browser deletes the draft it
    kept for that form. A refused form (200), a conflict (409) or a session that ended on the
    way (a redirect to the login page, the user signed out) keeps the draft.

    While signed in, the browser also carries ``signed_in``; the login page, opened with a
    ``next`` page while it is still there, knows that a session ended (the session cookie
    itself expires with the session, leaving no trace) and says so. Logging out removes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        signed_in = request.user.is_authenticated
        if signed_in and request.method == "POST" and response.status_code in (301, 302, 303):
            response.set_cookie(
                DRAFT_SAVED_COOKIE,
                quote(request.path, safe=""),  # no quoting by http.cookies: "/" is not a legal cookie character
                max_age=120,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # read by drafts.js; it holds a path of the portal, nothing personal
            )
        if signed_in and request.COOKIES.get(SIGNED_IN_COOKIE) != "1":
            response.set_cookie(
                SIGNED_IN_COOKIE,
                "1",
                max_age=30 * 24 * 3600,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        elif not signed_in and request.resolver_match and request.resolver_match.url_name == "logout":
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response


class TwoFactorMiddleware:
    """After the password, the second factor: a user with a TOTP device must enter its code,
    and administrators and ministry analysts must set one up before anything else."""

    NO_DEVICE_SEEN = "_two_factor_no_device"
    # The service worker's script holds no record, and a browser refuses one behind a redirect.
    OPEN = {
        "login",
        "logout",
        "two-factor-verify",
        "two-factor-setup",
        "set_language",
        "health",
        "javascript-catalog",
        "service-worker",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN:
            return None
        from desmigratif.accounts import has_device, requires_two_factor

        required = requires_two_factor(user)
        # A session that found no device looks again after a minute, not on every request.
        checked = request.session.get(self.NO_DEVICE_SEEN)
        if not required and checked is not None and 0 <= time.time() - checked < 60:
            return None
        if has_device(user):
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.get_full_path()})}")
        if required:
            return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': request.get_full_path()})}")
        request.session[self.NO_DEVICE_SEEN] = time.time()
        return None
