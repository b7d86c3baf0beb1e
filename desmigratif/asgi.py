"""ASGI entry point (production: see docs/deployment.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")

application = get_asgi_application()
