from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from households.imports.template import format_document


class Command(BaseCommand):
    help = "Write docs/import-format.md from the import column specification."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "import-format.md"
        path.write_text(format_document())
        self.stdout.write(f"Wrote {path}")
