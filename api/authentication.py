"""DRF authentication by a personal API token: ``Authorization: Bearer dm_…``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import PREFIX, ApiToken
from api.services import token_authenticate
from desmigratif.models import User


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2 or not header[1].startswith(PREFIX):
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer” and one token."))
        token = token_authenticate(secret=header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
