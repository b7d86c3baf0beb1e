"""A kept scratch database holding the national-scale dataset (`manage.py seed_scale`).

Making 1,000,000 households takes about ten minutes, so the dataset is kept between runs in
its own database (`bench_scale` on the configured PostgreSQL server, never the portal's
own) and reused when it already holds the wanted number of households. `BENCH_FRESH=1`
drops and remakes it. Migrations are applied on every use, so a kept dataset follows the
schema.
"""

from __future__ import annotations

import os
import sys
import time

from django.core.management import call_command
from django.db import connection

NAME = "bench_scale"


def _server_cursor():
    import psycopg2

    settings = connection.settings_dict
    params = {
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        **settings["OPTIONS"],
    }
    admin = psycopg2.connect(dbname="postgres", **{key: value for key, value in params.items() if value})
    admin.autocommit = True
    return admin


def use_scale_database(households: int) -> int:
    """Point the default connection at the scale database, filled with ``households`` households.
    Returns how many households it holds."""
    admin = _server_cursor()
    try:
        with admin.cursor() as cursor:
            if os.environ.get("BENCH_FRESH") == "1":
                cursor.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{NAME}"')
    finally:
        admin.close()
    connection.close()
    connection.settings_dict["NAME"] = NAME
    call_command("migrate", verbosity=0)

    from desmigratif.models import Village
    from desmigratif.regions_source import kemendagri_2025
    from desmigratif.services import regions_load
    from households.models import Household
    from seeding.scale import scale_seed

    present = Household.objects.count()
    if present >= households:
        return present
    if not Village.objects.exists():
        regions_load(regions=kemendagri_2025())
    started = time.perf_counter()
    print(f"seeding {households - present:,} households into {NAME} (about 4 minutes per million)", flush=True)

    def progress(done: int) -> None:
        if done % 100_000 < 1_000:
            print(f"  {done:,} households, {time.perf_counter() - started:.0f} s", flush=True)

    scale_seed(households=households - present, seed=present + 1, progress=progress)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    print(f"seeded in {seconds:.0f} s", flush=True)
    return Household.objects.count()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    print(use_scale_database(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
