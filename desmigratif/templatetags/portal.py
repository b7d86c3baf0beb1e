from django import template
from django.db.models import Model

register = template.Library()


@register.filter
def verbose_name(obj: Model) -> str:
    """The translated verbose name of a record's model ("desa", "kabupaten/kota", ...)."""
    return str(obj._meta.verbose_name)


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` in a template, for keys held in a variable."""
    return mapping.get(key)
