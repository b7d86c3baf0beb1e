from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Productive enterprise")
    default_auto_field = "django.db.models.BigAutoField"
