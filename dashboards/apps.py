from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from dashboards.services import figures_refresh_changed, watched_models
        from dashboards.tasks import figures_refresh_request
        from desmigratif import records

        if figures_refresh_request in records.FIGURES_CHANGED:
            return
        records.FIGURES_CHANGED.append(figures_refresh_request)
        records.FIGURES_CHANGED_IN_BULK.append(figures_refresh_changed)
        # Every write of what the figures count asks for a refresh once committed, whichever
        # path wrote it (a form, a service, the admin, a code list renamed). This only says
        # "recount"; what changed is read from the history (dashboards/services.py). Bulk
        # writes send no signals: the import's batch life cycle calls figures_changed_in_bulk.
        for model in watched_models():
            post_save.connect(records.figures_written, sender=model, dispatch_uid=f"figures-{model._meta.label}")
            post_delete.connect(records.figures_written, sender=model, dispatch_uid=f"figures-del-{model._meta.label}")
            for field in model._meta.many_to_many:
                m2m_changed.connect(
                    records.figures_written,
                    sender=field.remote_field.through,
                    dispatch_uid=f"figures-m2m-{model._meta.label}-{field.name}",
                )
