from django import template
from django.db.models import Model

register = template.Library()


@register.filter
def verbose_name(obj: Model) -> str:
    """The translated verbose name of a record's model ("desa", "kabupaten/kota", ...)."""
    return str(obj._meta.verbose_name)
