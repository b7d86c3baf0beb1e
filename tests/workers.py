"""A real task worker (`manage.py db_worker`) on the test database, for tests that need one."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.db import connection


def database_url() -> str:
    options = connection.settings_dict
    host = options["OPTIONS"].get("host") or options["HOST"] or "localhost"
    user = options["USER"] or "postgres"
    password = f":{options['PASSWORD']}" if options["PASSWORD"] else ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{options['NAME']}?host={host}"
    return f"postgres://{user}{password}@{host}:{options['PORT'] or 5432}/{options['NAME']}"


def start_worker() -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--no-reload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
