"""Work across core records: loading the region list, creating the demo cast."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from desmigratif.models import Assignment, District, Province, Regency, Region, Role, User, Village
from desmigratif.regions_source import RegionList


@dataclass
class LevelReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    total_active: int = 0


@dataclass
class RegionLoadReport:
    levels: dict[str, LevelReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(level.created or level.updated or level.retired for level in self.levels.values())


def _sync_level(model: type[Region], rows: list[dict], fields: list[str]) -> LevelReport:
    """Make the table equal ``rows``: create new codes, update changed ones, retire
    codes no longer listed (records may still point at them, so they stay)."""
    report = LevelReport()
    wanted = {row["code"]: row for row in rows}
    existing = {values["code"]: values for values in model.objects.values("code", "is_active", *fields)}

    to_create: list[Region] = []
    to_update: list[Region] = []
    for code, row in wanted.items():
        current = existing.get(code)
        if current is None:
            to_create.append(model(is_active=True, **row))
        elif not current["is_active"] or any(current[name] != row[name] for name in fields):
            to_update.append(model(is_active=True, **row))
        else:
            report.unchanged += 1
    retired = [code for code, values in existing.items() if code not in wanted and values["is_active"]]

    model.objects.bulk_create(to_create, batch_size=5000)
    if to_update:
        model.objects.bulk_update(
            to_update, ["is_active", *[name for name in fields if name != "code"]], batch_size=2000
        )
    if retired:
        model.objects.filter(code__in=retired).update(is_active=False)
    report.created, report.updated, report.retired = len(to_create), len(to_update), len(retired)
    report.total_active = len(wanted)
    return report


@transaction.atomic
def regions_load(*, regions: RegionList) -> RegionLoadReport:
    """Bring the four region tables in line with ``regions``, in one transaction.

    Idempotent: a second run with the same list changes nothing. Codes dropped
    from the list are retired (hidden from pickers), never deleted.
    """
    report = RegionLoadReport()
    report.levels["provinces"] = _sync_level(
        Province, [{"code": code, "name": name} for code, name in regions.provinces], ["code", "name"]
    )
    report.levels["regencies"] = _sync_level(
        Regency,
        [{"code": c, "name": n, "kind": k, "province_id": c[:2]} for c, n, k in regions.regencies],
        ["code", "name", "kind", "province_id"],
    )
    report.levels["districts"] = _sync_level(
        District,
        [{"code": c, "name": n, "regency_id": c[:5]} for c, n in regions.districts],
        ["code", "name", "regency_id"],
    )
    report.levels["villages"] = _sync_level(
        Village,
        [{"code": c, "name": n, "kind": k, "district_id": c[:8]} for c, n, k in regions.villages],
        ["code", "name", "kind", "district_id"],
    )
    return report


# --- demo cast -------------------------------------------------------------------------------------------

DEMO_PASSWORD = "desmigratif-demo"  # noqa: S105 - public by design, demo users only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None
    area: str
    superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "Admin", "Portal", Role.ADMINISTRATOR, "", superuser=True),
    DemoUser("petugas.kenanga", "Siti", "Aminah", Role.OFFICER, "32.12.16.2004"),
    DemoUser("petugas.kuripan", "Budi", "Santoso", Role.OFFICER, "33.07.10.2004"),
    DemoUser("koordinator.indramayu", "Dewi", "Lestari", Role.COORDINATOR, "32.12"),
    DemoUser("analis.kemnaker", "Agus", "Prasetyo", Role.ANALYST, ""),
)


@transaction.atomic
def demo_users_seed() -> list[tuple[DemoUser, bool]]:
    """Create the demo cast with their assignments; an existing user is left as it is.
    Returns each demo user with whether it was created now."""
    results = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "is_staff": demo.superuser,
                "is_superuser": demo.superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            assignment = Assignment(user=user, role=demo.role, note="demo")
            assignment.set_area(demo.area)
            assignment.full_clean()
            assignment.save()
        results.append((demo, created))
    return results
