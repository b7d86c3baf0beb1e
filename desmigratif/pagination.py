"""Keyset ("seek") pagination: page N costs the same as page 1, and no request
counts the whole table. Pages link forward with an opaque cursor holding the sort
key of the last row shown; "first page" goes back to the start."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import GreaterThan
from django.http import HttpRequest


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def _encode(values: list[Any]) -> str:
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value for value in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _to_python(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):  # a relation's other end: not a column to sort by
        raise FieldDoesNotExist(name)
    return field.to_python(value)


def _decode(cursor: str, model: type[models.Model], fields: list[str]) -> list[Any] | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        return [_to_python(model, name.lstrip("-"), value) for name, value in zip(fields, raw, strict=True)]
    except (ValueError, TypeError, LookupError, FieldDoesNotExist, ValidationError):
        # A hand-edited or stale cursor is not an error worth a 500: start again.
        return None


class _Row(Func):
    """A row value, ``ROW(a, b)``: PostgreSQL compares rows left to right, and serves
    ``ROW(a, b) > ROW(x, y)`` with one range scan of an index on (a, b)."""

    function = "ROW"
    output_field = models.Field()


def _after(fields: list[str], values: list[Any]) -> Q | GreaterThan:
    """Rows strictly after ``values`` in the order ``fields`` (each maybe "-" for descending)."""
    directions = {name.startswith("-") for name in fields}
    if len(directions) == 1:
        columns = _Row(*(F(name.lstrip("-")) for name in fields))
        row = _Row(*(Value(value) for value in values))
        return GreaterThan(row, columns) if directions == {True} else GreaterThan(columns, row)
    # Mixed directions: the expanded form (a > x) OR (a = x AND b < y)…
    condition = Q(pk__in=[])
    for i, name in enumerate(fields):
        column = name.lstrip("-")
        step = Q(**{f"{column}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
        for earlier, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def keyset_page(queryset: models.QuerySet, *, order: list[str], cursor: str | None, size: int) -> KeysetPage:
    """``order`` must end in a unique field (the primary key) so every row has one place."""
    queryset = queryset.order_by(*order)
    values = _decode(cursor, queryset.model, order) if cursor else None
    if values is not None:
        queryset = queryset.filter(_after(order, values))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([getattr(last, name.lstrip("-")) for name in order])
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=values is None)


def query_without(request: HttpRequest, name: str) -> str:
    """The page's query string minus one parameter (the cursor, for "first page" links)."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


class KeysetListMixin:
    """For a ListView: its rows a keyset page at a time (``keyset_order`` ends in the primary
    key), as ``object_list`` and ``page`` in the context, with the links of
    ``desmigratif/_keyset_nav.html``; a page far down costs what the first does."""

    page_size = 50
    keyset_order: tuple[str, ...] = ("pk",)
    request: HttpRequest  # the ListView's
    object_list: Any  # the ListView's queryset (django-stubs type it as any sequence to paginate)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = keyset_page(
            self.object_list,
            order=list(self.keyset_order),
            cursor=self.request.GET.get("after"),
            size=self.page_size,
        )
        # A mixin: get_context_data() is the ListView's it is mixed into.
        return super().get_context_data(  # type: ignore[misc]
            object_list=page.items,
            page=page,
            query_without_cursor=query_without(self.request, "after"),
            **kwargs,
        )
