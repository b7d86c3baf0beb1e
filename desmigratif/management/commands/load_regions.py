import time

from django.core.management.base import BaseCommand

from desmigratif.regions_source import kemendagri_2025
from desmigratif.services import regions_load


class Command(BaseCommand):
    help = "Load or update the Kemendagri region list (provinces, regencies, districts, villages). Idempotent."

    def handle(self, *args, **options):
        started = time.perf_counter()
        regions = kemendagri_2025()
        report = regions_load(regions=regions)
        for level, counts in report.levels.items():
            self.stdout.write(
                f"{level:<10} {counts.total_active:>6} active  "
                f"+{counts.created} created  ~{counts.updated} updated  -{counts.retired} retired"
            )
        verdict = "updated" if report.changed else "already up to date"
        self.stdout.write(
            self.style.SUCCESS(f"Region list {verdict}: {regions.description} in {time.perf_counter() - started:.1f} s")
        )
