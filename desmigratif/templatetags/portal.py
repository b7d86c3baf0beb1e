import uuid

from django import template
from django.db.models import Model
from django.utils.html import format_html
from django.utils.safestring import SafeString

from desmigratif.idempotency import FIELD as IDEMPOTENCY_FIELD

register = template.Library()


@register.filter
def verbose_name(obj: Model) -> str:
    """The translated verbose name of a record's model ("desa", "kabupaten/kota", ...)."""
    return str(obj._meta.verbose_name)


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` in a template, for keys held in a variable."""
    return mapping.get(key)


@register.simple_tag
def offline_fields() -> SafeString:
    """The hidden field of a form that a phone may send more than once (its outbox, or again
    after a lost answer): a random key, so that the server does the work once
    (desmigratif/idempotency.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', IDEMPOTENCY_FIELD, uuid.uuid4().hex)
