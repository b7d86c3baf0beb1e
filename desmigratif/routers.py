"""Database routing: every write and most reads on the primary, opted-in reads on a replica.

Reads go to a replica (aliases ``replica_1``, ``replica_2``, … from DATABASE_REPLICA_URLS)
only inside ``read_from_replica()`` or a view with ``ReplicaReadMixin``, and only when
replicas are configured. A replica lags the primary by the replication delay, so only
pages that tolerate slightly old data opt in; the rest never see the lag.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse

REPLICA_PREFIX = "replica_"

# Always read from the primary, even inside the context: sessions and queued tasks are
# read right after they are written, and who may sign in and see what (users,
# assignments, permissions, second factors, lockouts) must not lag behind a change.
PRIMARY_ONLY = frozenset(
    {
        "sessions",
        "django_tasks_database",
        "auth",
        "otp_totp",
        "axes",
        "desmigratif.user",
        "desmigratif.assignment",
    }
)

# The replica the current request reads from; None means the primary.
_replica: ContextVar[str | None] = ContextVar("desmigratif_read_replica", default=None)
_turn = itertools.count()


def replica_aliases() -> list[str]:
    """The configured replica aliases, in order."""
    return [alias for alias in connections if alias.startswith(REPLICA_PREFIX)]


@contextmanager
def read_from_replica() -> Iterator[str | None]:
    """Send the reads inside to one replica; yields its alias, or None without replicas.

    Also a decorator. Replicas are taken in turn, one per outermost entry, so all the
    reads of one request see the same replica. Writes inside still go to the primary,
    but a replica does not see them at once: wrap only work that does not read back
    what it wrote.
    """
    alias = _replica.get()
    if alias is None:
        aliases = replica_aliases()
        alias = aliases[next(_turn) % len(aliases)] if aliases else None
    token = _replica.set(alias)
    try:
        yield alias
    finally:
        _replica.reset(token)


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: replicas for reads inside ``read_from_replica()``, the primary otherwise."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY or meta.label_lower in PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        return _replica.get()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # Replicas receive the schema through replication.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadMixin:
    """For class-based views: GET and HEAD read from a replica, template rendering included.

    Put it after LoginRequiredMixin (or a scoping mixin) in the bases. Other methods
    run on the primary as usual.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A mixin: dispatch() is the view's it is mixed into (here and below).
        if request.method not in {"GET", "HEAD"}:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        # Authenticate on the primary first, so that a fresh login or password change
        # is never judged against a replica that has not caught up.
        user = getattr(request, "user", None)
        _ = user is not None and user.is_authenticated
        with read_from_replica():
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # mixin, as above
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                # Templates evaluate querysets lazily; render here so those reads use the replica too.
                response.render()
        return response
