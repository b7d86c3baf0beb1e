from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesmigratifConfig(AppConfig):
    """Shared core: users, regions, assignments and area scoping."""

    name = "desmigratif"
    verbose_name = _("Portal Desmigratif")
    default_auto_field = "django.db.models.BigAutoField"
