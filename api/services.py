"""Creating, using and revoking API tokens."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, token_digest, token_expiry, token_secret
from desmigratif.models import User

# A token's last use is written at most this often: reads do not each become a write.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


@transaction.atomic
def token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token of ``user``, valid ``days``; returns the record and the token, which is
    shown once and never stored."""
    secret = token_secret()
    token = ApiToken.objects.create(
        user=user, name=name, hint=secret[:10], digest=token_digest(secret), expires_at=token_expiry(days)
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, secret: str) -> ApiToken | None:
    """The usable token ``secret`` is, noting when it was used; None for any other string."""
    token = ApiToken.objects.usable().select_related("user").filter(digest=token_digest(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
