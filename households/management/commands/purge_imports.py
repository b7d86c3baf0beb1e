from django.core.management.base import BaseCommand

from households.imports.batches import batches_purge, purge_schedule


class Command(BaseCommand):
    help = (
        "Delete the files and staged rows of imports not written within IMPORT_UNCONFIRMED_DAYS, and the "
        "rows kept for error files IMPORT_ERROR_FILE_DAYS after writing, and admin import files left a day "
        "(UU PDP). The task worker runs this "
        "every night; --schedule queues that nightly run if it is not queued yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Only queue the nightly purge.")

    def handle(self, *args, schedule: bool, **options):
        if not schedule:
            result = batches_purge()
            self.stdout.write(
                f"{result.expired} batches expired, {result.error_files} error files deleted, "
                f"{result.admin_files} admin import files deleted."
            )
        purge_schedule()
