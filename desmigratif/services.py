"""Work across core records: loading the region list, creating the demo cast."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from desmigratif.models import (
    AccessLog,
    Assignment,
    District,
    Province,
    Regency,
    Region,
    Role,
    User,
    Village,
    region_codes_forget,
)
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


def _column(model: type[Region], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field.column


def _sync_level(model: type[Region], rows: list[dict], fields: list[str]) -> LevelReport:
    """Make the table equal ``rows``: create new codes, update changed ones, retire
    codes no longer listed (records may still point at them, so they stay).

    83,762 villages go through COPY into a temporary table and one upsert: about
    ten times faster than bulk_create/bulk_update, and the unchanged rows are
    not rewritten at all (docs/performance.md)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["code", *[_column(model, name) for name in fields if name != "code"]]
    quoted = [connection.ops.quote_name(column) for column in columns]
    data = io.StringIO()
    names = ["code", *[name for name in fields if name != "code"]]
    for row in rows:
        data.write("\t".join(_copy_escape(str(row[name])) for name in names) + "\n")
    data.seek(0)

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE region_incoming ({', '.join(f'{c} text' for c in quoted)}) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY region_incoming ({', '.join(quoted)}) FROM STDIN", data)
        # Only new, changed or retired-then-relisted rows reach the upsert:
        # an unchanged reload writes nothing.
        differs = " OR ".join(f"t.{column} IS DISTINCT FROM i.{column}" for column in quoted[1:])
        cursor.execute(
            f"INSERT INTO {table} AS t ({', '.join(quoted)}, is_active) "  # noqa: S608 - names from model meta
            f"SELECT {', '.join(f'i.{c}' for c in quoted)}, TRUE FROM region_incoming i "
            f"LEFT JOIN {table} t ON t.code = i.code "
            f"WHERE t.code IS NULL OR NOT t.is_active OR {differs} "
            f"ON CONFLICT (code) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in quoted[1:])}, "
            "is_active = TRUE "
            "RETURNING (xmax = 0)"
        )
        written = [inserted for (inserted,) in cursor.fetchall()]
        cursor.execute(
            f"UPDATE {table} SET is_active = FALSE WHERE is_active "  # noqa: S608 - names from model meta
            "AND NOT EXISTS (SELECT 1 FROM region_incoming i WHERE i.code = " + table + ".code)"
        )
        retired = cursor.rowcount
        cursor.execute("DROP TABLE region_incoming")
    report = LevelReport(
        created=sum(written),
        updated=len(written) - sum(written),
        retired=retired,
        total_active=len(rows),
    )
    report.unchanged = len(rows) - report.created - report.updated
    return report


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


@transaction.atomic
def regions_load(*, regions: RegionList) -> RegionLoadReport:
    """Bring the four region tables in line with ``regions``, in one transaction.

    Idempotent: a second run with the same list changes nothing. Codes dropped
    from the list are retired (hidden from pickers), never deleted.
    """
    report = RegionLoadReport()
    transaction.on_commit(region_codes_forget)
    region_codes_forget()
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
    role: str
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


def nik_elsewhere_allowance(*, user: User) -> int:
    """How many more NIKs registered outside their area the user may still be told about in the
    current 24 hours. Officers need that answer ("this NIK cannot be registered here"), but
    unbounded it would let one test thousands of NIKs against the national register."""
    since = timezone.now() - datetime.timedelta(hours=24)
    told = AccessLog.objects.filter(user=user, kind=AccessLog.Kind.NIK_ELSEWHERE, at__gte=since).aggregate(
        total=Sum("rows")
    )["total"]
    return max(0, settings.NIK_ELSEWHERE_LIMIT - (told or 0))


@transaction.atomic
def nik_elsewhere_record(*, user: User, hits: int, where: str) -> None:
    """Write to the access log that the user was told ``hits`` NIKs are registered elsewhere."""
    if hits:
        AccessLog.objects.create(user=user, kind=AccessLog.Kind.NIK_ELSEWHERE, what=where[:200], rows=hits)
