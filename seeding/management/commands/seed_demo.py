from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from desmigratif.models import User, Village
from desmigratif.services import DEMO_PASSWORD, demo_users_seed


class Command(BaseCommand):
    help = (
        "Create the demo users (and, as the pillars arrive, demo records). Idempotent: "
        "a second run adds nothing. Refused with DEBUG off unless --allow-production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo users share one public password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to create demo users with DEBUG off; pass --allow-production to insist.")
        if not Village.objects.exists():
            raise CommandError("The region list is empty: run `manage.py load_regions` first.")

        results = demo_users_seed()
        created = sum(1 for _, was_created in results if was_created)
        self.stdout.write(f"Demo users: {created} created, {len(results) - created} already there.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo, _ in results:
            area = demo.area or "Indonesia"
            self.stdout.write(f"  {demo.username:<24} {demo.role:<14} {area}")

        # Each pillar adds its demo records here; each step leaves villages that have records alone.
        from seeding.households import demo_population_seed

        admin = User.objects.filter(username="admin").first()
        population = demo_population_seed(user=admin)
        self.stdout.write(
            f"Demo households: {population.households} households, {population.persons} persons, "
            f"{population.episodes} migration episodes, {population.requests} service requests "
            f"in {population.villages} new villages."
        )
        from seeding.enterprises import demo_enterprises_seed

        enterprises = demo_enterprises_seed(user=admin)
        self.stdout.write(
            f"Demo enterprises: {enterprises.enterprises} enterprises, {enterprises.trainings} trainings, "
            f"{enterprises.attendances} attendances."
        )
        from seeding.childcare import demo_childcare_seed
        from seeding.cooperatives import demo_cooperatives_seed

        childcare = demo_childcare_seed(user=admin)
        self.stdout.write(
            f"Demo community parenting: {childcare.houses} learning houses, {childcare.children} children, "
            f"{childcare.sessions} sessions."
        )
        from seeding.programme import demo_programme_seed, demo_registration_dates_spread

        self.stdout.write(f"Demo programme villages: {demo_programme_seed()} registered.")
        moved = demo_registration_dates_spread()
        self.stdout.write(f"Demo registration dates: {moved} households spread over the years of their villages.")
        cooperatives = demo_cooperatives_seed(user=admin)
        self.stdout.write(
            f"Demo cooperatives: {cooperatives.cooperatives} cooperatives, {cooperatives.members} members, "
            f"{cooperatives.facilities} village facilities."
        )
