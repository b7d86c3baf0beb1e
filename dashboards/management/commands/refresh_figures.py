from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Bring the dashboards' figures up to date: the villages changed since the last refresh "
        "(everything on the first refresh of a day), or every village with --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recount every village.")

    def handle(self, *args, full: bool, **options):
        from dashboards.services import figures_refresh, figures_refresh_changed

        refresh = figures_refresh() if full else figures_refresh_changed()
        villages = "every village" if refresh.is_full else f"{refresh.villages} village(s)"
        self.stdout.write(self.style.SUCCESS(f"Figures refreshed: {villages} in {refresh.seconds:.1f} s."))
