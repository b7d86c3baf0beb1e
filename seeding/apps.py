from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedingConfig(AppConfig):
    """Demo data for `make run` and synthetic national-scale data for the benchmarks: the one
    app that imports every pillar, so that neither the core nor a pillar has to."""

    name = "seeding"
    verbose_name = _("Demo and scale data")
