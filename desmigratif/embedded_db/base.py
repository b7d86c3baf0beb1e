"""Django's PostgreSQL backend, for the embedded server (no ``DATABASE_URL``, development and
tests): the first connection that needs the server starts it, so that reading the settings
starts nothing (``manage.py help``, linters, the translation tools)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

from desmigratif import embedded_postgres


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        if not self.settings_dict["HOST"]:
            # Shared with every connection of this alias (and the test database's), so asked once.
            self.settings_dict["HOST"], self.settings_dict["PORT"] = embedded_postgres.socket_and_port(
                settings.BASE_DIR
            )
        return super().get_connection_params()
