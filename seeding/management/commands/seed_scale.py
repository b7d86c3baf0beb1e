import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from desmigratif.models import Village


class Command(BaseCommand):
    help = (
        "Add a national-scale synthetic dataset for benchmarks: N households with members, stays abroad, "
        "service requests and the records of pillars 2-4. Refused with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, households, seed, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to add synthetic data with DEBUG off.")
        if households < 1:
            raise CommandError("--households must be at least 1.")
        if not Village.objects.exists():
            raise CommandError("The region list is empty: run `manage.py load_regions` first.")
        from seeding.scale import scale_seed

        started = time.perf_counter()

        def progress(done: int) -> None:
            self.stdout.write(f"\r  {done:>10,} households", ending="")
            self.stdout.flush()

        report = scale_seed(households=households, seed=seed, progress=progress)
        self.stdout.write("")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<18} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.0f} s."))
