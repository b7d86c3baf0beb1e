import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from desmigratif.access import Action, scope_for
from desmigratif.models import User, Village
from households.imports import batches
from households.imports.commit import ImportRefusedError
from households.imports.reading import ReadError
from households.imports.staging import kept_problems
from households.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import households from a CSV or XLSX file as USER, through the same steps as the import page: "
        "scoped to the user's areas, logged, waiting for a coordinator's approval when "
        "IMPORT_APPROVAL_REQUIRED is on, dashboards refreshed. The file is streamed, so it may be larger "
        "than the upload limit."
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
        parser.add_argument(
            "--village", help="Kemendagri code of the village of the rows, for a file without a village column."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show the preview only.")

    def handle(self, *args, file, user, mode, village, dry_run, **options):
        try:
            account = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        if scope_for(account, Action.WRITE).is_empty:
            raise CommandError(f"{user} may not write records in any village, so cannot import.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        area = None
        if village:
            area = Village.objects.filter(code=village).first()
            if area is None:
                raise CommandError(f"No village {village}.")
        started = time.perf_counter()
        try:
            batch = batches.batch_upload(user=account, file_name=path.name, path=path, village=area, background=False)
        except (ReadError, ImportRefusedError) as refusal:
            raise CommandError(refusal.message) from None
        result = batches.batch_validate(batch_id=batch.pk, path=path, progress=self.progress)
        self.stdout.write("")
        self.stdout.write(f"Checked {result.rows} rows in {time.perf_counter() - started:.1f} s.")
        for note in result.notes:
            self.stdout.write(note)
        for key, value in sorted(result.counts.items()):
            self.stdout.write(f"  {key:<22} {value}")
        for problem in kept_problems(batch, limit=50):
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
        batch.refresh_from_db()
        chosen = ImportBatch.Mode.VALID_ONLY if mode == "valid" else ImportBatch.Mode.ALL_OR_NOTHING
        batches.batch_confirm(batch=batch, user=account, mode=chosen, background=False)
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.AWAITING_APPROVAL:
            self.stdout.write(f"Batch {batch.pk} waits for a coordinator's approval before it is written.")
            return
        if batch.status != ImportBatch.Status.COMMITTED:
            raise CommandError(batch.message)
        self.stdout.write(
            self.style.SUCCESS(f"Batch {batch.pk}: {batch.message} ({time.perf_counter() - started:.1f} s in all)")
        )

    def progress(self, percent: int) -> None:
        self.stdout.write(f"\r  checked {percent:>3}%", ending="")
        self.stdout.flush()
