from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # The figures follow writes: pillars call the core's hooks, which know nothing of us.
        from dashboards.services import figures_refresh_changed
        from dashboards.tasks import figures_refresh_request
        from desmigratif import records

        if figures_refresh_request not in records.FIGURES_CHANGED:
            records.FIGURES_CHANGED.append(figures_refresh_request)
            records.FIGURES_CHANGED_IN_BULK.append(figures_refresh_changed)
