"""`manage.py` in a process of its own, under the settings a deployment reads."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def run_manage(*args, **env):
    """Run ``manage.py *args`` with ``env`` instead of this process's settings variables."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CSRF_TRUSTED_ORIGINS"}
    }
    return subprocess.run(
        [*MANAGE, *args], env={**base, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def production_env(**overrides):
    """The environment of a production deployment, with ``overrides``."""
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "desmigratif.kemnaker.go.id",
        "CSRF_TRUSTED_ORIGINS": "https://desmigratif.kemnaker.go.id",
        "DATABASE_URL": "postgres://portal@db.internal:5432/desmigratif",
    }
    env.update(overrides)
    return env
