from django.core.management.base import BaseCommand

from households.services import referral_targets_load


class Command(BaseCommand):
    help = (
        "Add the starting list of referral targets (Kemlu, BP3MI of the provinces, Indonesian missions) "
        "that the register lacks. Idempotent; offices that administrators edited or retired are left alone."
    )

    def handle(self, *args, **options):
        added = referral_targets_load()
        self.stdout.write(f"Referral targets: {added} added.")
