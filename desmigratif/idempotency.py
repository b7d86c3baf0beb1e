"""A form is done once, however often it is sent. An officer's phone may send a form again:
its outbox sends what was saved without a signal, and a form whose answer was lost on the way
(the signal dropped after "Simpan") is sent once more. Forms that may be sent so carry a random
key (``{% offline_fields %}``); the first request with a key claims it, and when it ends in a
redirect (the form was saved) the page it led to is kept with the key. A later request with
the same key is answered with that redirect, and nothing is done twice. A refused form (shown
again with its errors), an error or a conflict frees the key, so the corrected form can be
sent with it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.models import SubmissionKey, User

FIELD = "_idempotency_key"
BUSY_HEADER = "X-Idempotent-Busy"
KEY = re.compile(r"^[0-9a-f]{32}$")
# A claim whose request never finished (the worker was killed) is taken over after this long.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not request.user.is_authenticated:
            return self.get_response(request)
        key = request.POST.get(FIELD, "")
        if not KEY.match(key):
            return self.get_response(request)
        claim = self._claim(request, key)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            response = self.get_response(request)
        except BaseException:
            claim.delete()
            raise
        if response.status_code in (301, 302, 303) and request.user.is_authenticated:
            claim.location = response["Location"][:500]
            claim.save(update_fields=["location"])
        else:
            claim.delete()
        return response

    @staticmethod
    def _claim(request: HttpRequest, key: str) -> SubmissionKey | HttpResponse:
        user = cast(User, request.user)  # signed in: __call__ asked
        claim = submission_claim(user=user, key=key, path=request.path)
        if claim.is_ours:
            return claim.record
        if claim.record.location:
            replay = HttpResponseRedirect(claim.record.location)
            replay["X-Idempotent-Replay"] = "1"
            return replay
        # Accepted, not done here: the first request is still at it. The outbox tries again later.
        busy = HttpResponse(_("This form is being saved already. Wait a moment, then open the page again."), status=202)
        busy[BUSY_HEADER] = "1"
        return busy


@dataclass
class Claim:
    """A key as the request that brings it finds it: ``is_ours`` (new, or abandoned and taken
    over: the request does the work and fills in ``location``), or an earlier request's,
    done (``location`` set: what it led to) or still at work (not set)."""

    record: SubmissionKey
    is_ours: bool


def submission_claim(*, user: User, key: str, path: str) -> Claim:
    """Claim ``key`` of ``user`` for a request to ``path`` (the pages' forms and the API's creates)."""
    try:
        with transaction.atomic():
            return Claim(SubmissionKey.objects.create(user=user, key=key, path=path[:300]), is_ours=True)
    except IntegrityError:
        pass
    earlier = SubmissionKey.objects.filter(user=user, key=key).first()
    if earlier is not None and not earlier.location and earlier.created_at < timezone.now() - ABANDONED_AFTER:
        earlier.delete()
        earlier = None
    if earlier is None:  # abandoned, or purged since the INSERT failed
        return Claim(SubmissionKey.objects.create(user=user, key=key, path=path[:300]), is_ours=True)
    return Claim(earlier, is_ours=False)


def submission_keys_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget keys older than IDEMPOTENCY_DAYS (an outbox does not wait that long)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IDEMPOTENCY_DAYS)
    deleted, _by_model = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
