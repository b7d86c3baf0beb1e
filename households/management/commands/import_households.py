import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from desmigratif.models import User
from households.imports.commit import ImportRefusedError, file_digest, import_commit
from households.imports.reading import ReadError, read_table
from households.imports.validation import analyse
from households.models import ImportBatch


class Command(BaseCommand):
    help = "Import households from a CSV or XLSX file as USER (scoped like the web import)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Username whose areas the rows must be in.")
        parser.add_argument(
            "--mode",
            choices=["all", "valid"],
            default="all",
            help="all = all or nothing (default); valid = write the valid rows only.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and show the preview only.")

    def handle(self, *args, file, user, mode, dry_run, **options):
        try:
            account = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            analysis = analyse(read_table(data, path.name), user=account)
        except ReadError as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(f"Validated {len(analysis.rows)} rows in {time.perf_counter() - started:.1f} s.")
        for note in analysis.notes:
            self.stdout.write(note)
        for key, value in sorted(analysis.counts.items()):
            self.stdout.write(f"  {key:<22} {value}")
        for problem in analysis.problems[:50]:
            self.stdout.write(f"  row {problem.row:>6} {problem.column:<20} {problem.value!r:<20} {problem.message}")
        if len(analysis.problems) > 50:
            self.stdout.write(f"  … and {len(analysis.problems) - 50} more problems.")
        if analysis.fatal:
            raise CommandError(" ".join(analysis.fatal))
        if dry_run:
            return
        try:
            batch = import_commit(
                analysis=analysis,
                user=account,
                file_name=path.name,
                digest=file_digest(data),
                size=len(data),
                mode=ImportBatch.Mode.VALID_ONLY if mode == "valid" else ImportBatch.Mode.ALL_OR_NOTHING,
            )
        except ImportRefusedError as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"Batch {batch.pk}: {batch.message} ({time.perf_counter() - started:.1f} s in all)")
        )
