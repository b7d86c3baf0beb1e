from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from households.imports.template import format_document
from placements.columns import format_section


class Command(BaseCommand):
    help = "Write docs/import-format.md from the column specifications of the household import and of placement lists."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "import-format.md"
        path.write_text(format_document() + "\n" + format_section())
        self.stdout.write(f"Wrote {path}")
