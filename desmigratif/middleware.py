"""Content-Security-Policy header for every response, the admin included.

Django 5.2 has no CSP support; Django 6.0 adds
``django.middleware.csp.ContentSecurityPolicyMiddleware`` reading the same
``SECURE_CSP`` dict, so moving to it means swapping this class in MIDDLEWARE.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def build_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = build_policy(settings.SECURE_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
