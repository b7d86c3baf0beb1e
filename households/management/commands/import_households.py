import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from desmigratif.models import User
from households.imports.commit import ImportRefusedError, import_commit
from households.imports.reading import ReadError, read_table
from households.imports.staging import import_stage, kept_problems
from households.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import households from a CSV or XLSX file as USER (scoped like the web import). "
        "The file is streamed, so it may be larger than the upload limit."
    )

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
        started = time.perf_counter()
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        batch = ImportBatch.objects.create(
            user=account,
            file_name=path.name[:255],
            sha256=digest.hexdigest(),
            size=path.stat().st_size,
            status=ImportBatch.Status.VALIDATING,
        )
        with path.open("rb") as handle:
            try:
                result = import_stage(
                    batch=batch,
                    table=read_table(handle, path.name, max_bytes=None),
                    user=account,
                    progress=self.progress,
                )
            except ReadError as refusal:
                batch.delete()
                raise CommandError(refusal.message) from None
            self.stdout.write("")
            problems = kept_problems(batch, limit=51)
        self.stdout.write(f"Validated {result.rows} rows in {time.perf_counter() - started:.1f} s.")
        for note in result.notes:
            self.stdout.write(note)
        for key, value in sorted(result.counts.items()):
            self.stdout.write(f"  {key:<22} {value}")
        for problem in problems[:50]:
            self.stdout.write(
                f"  row {problem['row']:>6} {problem['column']:<20} {problem['value']!r:<20} {problem['message']}"
            )
        if result.counts.get("problems", 0) > 50:
            self.stdout.write(f"  … and {result.counts['problems'] - 50} more problems.")
        if result.fatal or dry_run:
            batch.delete()
            if result.fatal:
                raise CommandError(" ".join(result.fatal))
            return
        try:
            batch = import_commit(
                batch=batch,
                user=account,
                mode=ImportBatch.Mode.VALID_ONLY if mode == "valid" else ImportBatch.Mode.ALL_OR_NOTHING,
            )
        except ImportRefusedError as refusal:
            batch.delete()
            raise CommandError(refusal.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"Batch {batch.pk}: {batch.message} ({time.perf_counter() - started:.1f} s in all)")
        )

    def progress(self, rows: int) -> None:
        self.stdout.write(f"\r  checked {rows:>9,} rows", ending="")
        self.stdout.flush()
