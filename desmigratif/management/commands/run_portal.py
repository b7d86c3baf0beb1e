"""`make run`: prepare the database and serve the portal with its task worker.

Migrates, loads the region list, seeds the demo cast (each step idempotent),
brings the dashboards' figures up to date,
then runs the development web server and the django-tasks database worker
side by side until Ctrl-C, which stops both — and the embedded PostgreSQL
too when this command is the one that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from desmigratif import embedded_postgres
from desmigratif.services import DEMO_PASSWORD, DEMO_USERS

WORKER_INTERVAL = "0.2"  # seconds between the task worker's looks for work


class Command(BaseCommand):
    help = "Migrate, load regions, seed demo users, then serve the portal and the task worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-seed", action="store_true", help="Skip creating the demo users.")

    def handle(self, *args, addrport: str, no_seed: bool, **options):
        started = time.monotonic()
        # `kill` and service managers send SIGTERM: treat it as Ctrl-C so the children stop too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_regions", stdout=self.stdout)
        call_command("load_referral_targets", stdout=self.stdout)
        if not no_seed:
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - logins printed below
        # The dashboards' figures, so the first dashboard opened has them (seconds on demo data).
        call_command("refresh_figures", stdout=self.stdout)

        # The children use the server this process resolved (embedded or not).
        database_url = settings.DATABASE_URL or embedded_postgres.database_url(settings.BASE_DIR)
        env = dict(os.environ, DATABASE_URL=database_url)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [
            subprocess.Popen([*manage, "runserver", addrport, "--noreload"], env=env),  # noqa: S603 - our own manage.py
            # Looking for work five times a second: a village's import is checked and shown within
            # a second of the upload (docs/performance.md), and an idle look is one cheap query.
            subprocess.Popen(  # noqa: S603 - our own manage.py
                [*manage, "db_worker", "--no-reload", "--interval", WORKER_INTERVAL], env=env
            ),
        ]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nPortal Desmigratif: http://{addrport}/  (ready in "
                f"{time.monotonic() - started:.1f} s; Ctrl-C stops everything)"
            )
        )
        if not no_seed:
            self.stdout.write(f"Demo logins, password {DEMO_PASSWORD!r}:")
            for demo in DEMO_USERS:
                self.stdout.write(f"  {demo.username:<24} {demo.role}  {demo.area or 'Indonesia'}")
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A child process stopped; shutting down the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            # Ctrl-C in a terminal already reached the children (same process
            # group); SIGTERM covers `kill` and children that ignore SIGINT.
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            if embedded_postgres.started_here:
                embedded_postgres.stop(settings.BASE_DIR)
                self.stdout.write("Embedded PostgreSQL stopped.")
