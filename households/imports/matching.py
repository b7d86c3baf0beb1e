"""Which registered record each staged row is, and what the record would become: the one
classification that the preview counts, the preview's field-by-field changes, the checks on
merged values and the write all read, so that what is shown is what is written.

The rules (docs/import-format.md, "Updating what is registered"):

* A household is found by its current No. KK, else by a former one; it keeps its current
  number either way (an old spreadsheet is not a reason to go back to an old card).
  Its fields come from the head of family's row; where the head's row leaves one blank,
  from the first row of the household that fills it.
* A person is found by NIK and moves to the household of the row.
* A blank cell, or a column the file does not have, leaves the registered value alone.
  Only a person in a form clears a field.
* A stay abroad is found by its departure date; a row without one (or a stay being prepared
  without one) is the person's open stay. A person has at most one open stay.

`classify` fills three temporary tables, dropped at the end of the transaction:
import_household, import_person and import_episode, each with the matched record's id (or,
when writing, the id it will be created with), its version as seen, the merged values, and
the action: create, update or same.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from households.models import (
    OPEN_STATUSES,
    EpisodeStatus,
    Household,
    ImportBatch,
    ImportRow,
    KKNumber,
    MigrationEpisode,
    Person,
)

ROWS = ImportRow._meta.db_table
HOUSEHOLDS, PERSONS, EPISODES, KK_NUMBERS = (m._meta.db_table for m in (Household, Person, MigrationEpisode, KKNumber))
OPEN_SQL = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"

# What an import writes on each record, by model column: the staging row's column. Text
# columns merge as "the row's value unless blank", the others as "the row's value unless NULL".
HOUSEHOLD_FIELDS = {
    "village_id": "village",
    "dusun": "dusun",
    "rt": "rt",
    "rw": "rw",
    "address": "address",
    "phone": "phone",
}
PERSON_FIELDS = {
    "name": "name",
    "sex": "sex",
    "birth_place": "birth_place",
    "birth_date": "birth_date",
    "relationship": "relationship",
    "religion": "religion",
    "education": "education",
    "occupation": "occupation",
    "marital_status": "marital_status",
}
EPISODE_FIELDS = {
    "status": "status",
    "scheme": "scheme",
    "procedural": "procedural",
    "agency_id": "agency",
    "destination_country": "destination_country",
    "employer_name": "employer_name",
    "employer_kind": "employer_kind",
    "sector": "sector",
    "job_id": "job",
    "departure_date": "departure_date",
    "contract_end": "contract_end",
    "actual_return": "actual_return",
    "return_reason": "return_reason",
    "bpjs_number": "bpjs_number",
    "passport_number": "passport_number",
}
# Derived from the values (identifier findings), not typed: replaced, never merged.
WARNINGS = "validation_warnings"
HOUSEHOLD_VALUES = [*HOUSEHOLD_FIELDS]
PERSON_VALUES = [*PERSON_FIELDS, WARNINGS]
EPISODE_VALUES = [*EPISODE_FIELDS, WARNINGS]
TEXT_TYPES = {"CharField", "TextField", "SlugField"}


def _is_text(model: type[models.Model], column: str) -> bool:
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    return field.get_internal_type() in TEXT_TYPES


def _merged(model: type[models.Model], column: str, new: str, old: str) -> str:
    """SQL for the value after the write: the file's unless it left it blank."""
    if _is_text(model, column):
        return f"coalesce(nullif({new}, ''), {old}, '')"
    return f"coalesce({new}, {old})"


def _tuple(alias: str, columns: list[str]) -> str:
    return "(" + ", ".join(f"{alias}.{column}" for column in columns) + ")"


def _new_id(model: type[models.Model], allocate: bool, found: str, order: str) -> str:
    """SQL for the id of a record to create, so that one INSERT … SELECT writes rows whose ids
    are already known; NULL for a preview. When writing, the ids are a block of the table's
    sequence starting at %(first_<table>)s (see ``classify``), numbered in file order."""
    if not allocate:
        return "NULL::bigint"
    block = f"%(first_{model._meta.db_table})s"
    return f"{block} - 1 + row_number() OVER (PARTITION BY {found} IS NULL ORDER BY {order})"


def _action(found: str, old: str, new: str, columns: list[str]) -> str:
    return (
        f"CASE WHEN {found} IS NULL THEN 'create' "
        f"WHEN {_tuple(old, columns)} IS DISTINCT FROM {_tuple(new, columns)} THEN 'update' ELSE 'same' END"
    )


def _first_filled(column: str) -> str:
    """The head's value, else the first row's of the household that fills it."""
    return f"(array_agg(r.{column} ORDER BY r.relationship = 'head' DESC, r.number) FILTER (WHERE r.{column} <> ''))[1]"


def _household_sql(allocate: bool) -> str:
    merged = ", ".join(
        f"{_merged(Household, column, f'file.{source}', f'h.{column}')} AS {column}"
        for column, source in HOUSEHOLD_FIELDS.items()
        if column != "village_id"
    )
    gathered = ", ".join(
        f"{_first_filled(source)} AS {source}" for column, source in HOUSEHOLD_FIELDS.items() if column != "village_id"
    )
    # The merged values are computed once (LATERAL m) and compared with the record found.
    return f"""
        CREATE TEMPORARY TABLE import_household ON COMMIT DROP AS
        WITH file AS (
            SELECT r.kk_number, min(r.village) AS village,
                   (array_agg(r.name ORDER BY r.relationship = 'head' DESC, r.number))[1] AS label,
                   min(r.number) AS number, {gathered}
            FROM {ROWS} r WHERE r.batch_id = %(batch)s AND r.is_valid GROUP BY r.kk_number
        )
        SELECT file.kk_number, file.label, file.number, h.id AS found_id, h.version AS seen_version,
               h.kk_number AS current_kk, m.*,
               coalesce(h.id, {_new_id(Household, allocate, "h.id", "file.number")}) AS household_id,
               {_action("h.id", "h", "m", HOUSEHOLD_VALUES)} AS action
        FROM file
        LEFT JOIN LATERAL (
            SELECT id FROM (
                SELECT 0 AS rank, h0.id FROM {HOUSEHOLDS} h0 WHERE h0.kk_number = file.kk_number
                UNION ALL
                SELECT 1, k.household_id FROM {KK_NUMBERS} k WHERE k.number = file.kk_number
            ) candidates ORDER BY rank, id LIMIT 1
        ) found ON true
        LEFT JOIN {HOUSEHOLDS} h ON h.id = found.id
        CROSS JOIN LATERAL (SELECT file.village AS village_id, {merged}) m
    """


def _person_sql(allocate: bool) -> str:
    merged = ", ".join(
        f"{_merged(Person, column, f'r.{source}', f'p.{column}')} AS {column}"
        for column, source in PERSON_FIELDS.items()
    )
    return f"""
        CREATE TEMPORARY TABLE import_person ON COMMIT DROP AS
        SELECT r.number, r.nik, r.kk_number, ih.household_id, p.id AS found_id,
               p.version AS seen_version,
               p.household_id AS household_before, m.*,
               coalesce(p.id, {_new_id(Person, allocate, "p.id", "r.number")}) AS person_id,
               CASE WHEN p.id IS NULL THEN 'create'
                    WHEN {_tuple("p", PERSON_VALUES)} IS DISTINCT FROM {_tuple("m", PERSON_VALUES)}
                         OR p.household_id IS DISTINCT FROM ih.household_id THEN 'update'
                    ELSE 'same' END AS action
        FROM {ROWS} r
        JOIN import_household ih ON ih.kk_number = r.kk_number
        LEFT JOIN {PERSONS} p ON p.nik = r.nik
        CROSS JOIN LATERAL (SELECT {merged}, r.warnings AS {WARNINGS}) m
        WHERE r.batch_id = %(batch)s AND r.is_valid
    """


# A new stay without a status: returned if it has a return date, abroad if it has a departure
# date that has passed, being prepared otherwise.
INFERRED_STATUS = (
    f"CASE WHEN r.actual_return IS NOT NULL THEN '{EpisodeStatus.RETURNED}' "
    f"WHEN r.departure_date <= %(today)s THEN '{EpisodeStatus.ABROAD}' "
    f"ELSE '{EpisodeStatus.PREPARING}' END"
)


def _episode_sql(allocate: bool) -> str:
    merged = []
    for column, source in EPISODE_FIELDS.items():
        if column == "status":
            merged.append(f"coalesce(nullif(r.status, ''), e.status, {INFERRED_STATUS}) AS status")
        elif column == "procedural":
            merged.append("coalesce(nullif(r.procedural, ''), e.procedural, 'unknown') AS procedural")
        else:
            merged.append(f"{_merged(MigrationEpisode, column, f'r.{source}', f'e.{column}')} AS {column}")
    # Passport and BPJS findings: the row's when it gives either number, else those stored.
    warnings = (
        f"CASE WHEN r.passport_number = '' AND r.bpjs_number = '' "
        f"THEN coalesce(e.{WARNINGS}, '[]'::jsonb) ELSE r.episode_warnings END AS {WARNINGS}"
    )
    return f"""
        CREATE TEMPORARY TABLE import_episode ON COMMIT DROP AS
        SELECT r.number, r.nik, ip.person_id, ip.found_id AS person_found_id, ip.name,
               r.departure_date AS row_departure, r.actual_return AS row_return, r.status AS row_status,
               r.contract_end AS row_contract_end, e.id AS found_id, e.version AS seen_version, m.*,
               coalesce(e.id, {_new_id(MigrationEpisode, allocate, "e.id", "r.number")}) AS episode_id,
               {_action("e.id", "e", "m", EPISODE_VALUES)} AS action
        FROM {ROWS} r
        JOIN import_person ip ON ip.number = r.number
        LEFT JOIN LATERAL (
            SELECT * FROM {EPISODES} e0
            WHERE e0.person_id = ip.found_id AND (
                e0.departure_date = r.departure_date
                OR (e0.status IN {OPEN_SQL} AND (r.departure_date IS NULL OR e0.departure_date IS NULL))
                OR (r.departure_date IS NULL AND e0.actual_return = r.actual_return)
            )
            ORDER BY e0.departure_date = r.departure_date DESC NULLS LAST, e0.status IN {OPEN_SQL} DESC, e0.id
            LIMIT 1
        ) e ON true
        CROSS JOIN LATERAL (SELECT {", ".join(merged)}, {warnings}) m
        WHERE r.batch_id = %(batch)s AND r.is_valid AND r.has_migration
    """


def set_based_session(cursor: Any) -> None:
    """For the rest of the transaction: no JIT compilation (it takes longer to compile these
    one-off statements than to run them: about a second of a 155,000-row file), and memory
    enough to sort a whole file without spilling to disk."""
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '64MB'")


def classify(*, batch: ImportBatch, cursor: Any, today: Any, allocate: bool = False) -> dict[str, int]:
    """Fill import_household, import_person and import_episode for the valid staged rows of
    ``batch``; with ``allocate``, records to create get their ids. Returns the counts.

    Allocating takes a block of each table's sequence: its first value, then the sequence moved
    past the block. The caller holds the tables locked against other writers (the commit's
    LOCK TABLE), so no other insert draws from the sequences meanwhile; a nextval() per record
    would cost most of a second on a big file."""
    cursor.execute("DROP TABLE IF EXISTS import_household, import_person, import_episode")
    params = {"batch": batch.pk, "today": today}
    for sql, table, model, joined in (
        (_household_sql(allocate), "import_household", Household, "kk_number, household_id, found_id, action"),
        (_person_sql(allocate), "import_person", Person, "number, nik, person_id, found_id, action"),
        (_episode_sql(allocate), "import_episode", MigrationEpisode, "number, episode_id, found_id, action"),
    ):
        sequence = f"pg_get_serial_sequence('{model._meta.db_table}', 'id')"
        if allocate:
            cursor.execute(f"SELECT nextval({sequence})")
            params[f"first_{model._meta.db_table}"] = cursor.fetchone()[0]
        cursor.execute(sql, params)
        if allocate:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE action = 'create'")
            created = cursor.fetchone()[0]
            if created > 1:
                cursor.execute(
                    f"SELECT setval({sequence}, %s)", [params[f"first_{model._meta.db_table}"] + created - 1]
                )
        # Autovacuum never analyses temporary tables; without statistics the joins that
        # follow are planned for a handful of rows. The columns they join and filter on only:
        # sampling every column of a wide table took half a second of a big file.
        cursor.execute(f"ANALYZE {table} ({joined})")
    counts: dict[str, int] = {}
    for kind, table in (("household", "import_household"), ("person", "import_person"), ("episode", "import_episode")):
        cursor.execute(f"SELECT action, count(*) FROM {table} GROUP BY action")
        for action, count in cursor.fetchall():
            counts[f"{kind}s_{'unchanged' if action == 'same' else action}"] = count
    return counts


# Checks on the merged stay (the row's values over the registered ones): (SQL condition over
# import_episode `ie`, message code). Where both dates come from the row, the row's own check
# has said it already.
EPISODE_RULES = (
    (
        f"ie.status IN {OPEN_SQL} AND EXISTS (SELECT 1 FROM {EPISODES} o WHERE o.person_id = ie.person_found_id "
        f"AND o.status IN {OPEN_SQL} AND o.id IS DISTINCT FROM ie.found_id)",
        "second_open_stay",
    ),
    (f"ie.status = '{EpisodeStatus.RETURNED}' AND ie.actual_return IS NULL", "return_date_missing"),
    (
        f"ie.status <> '{EpisodeStatus.PREPARING}' AND ie.departure_date > %(today)s AND ie.row_status = ''",
        "departure_in_future",
    ),
    (
        "ie.actual_return < ie.departure_date AND (ie.row_departure IS NULL OR ie.row_return IS NULL)",
        "return_before_departure",
    ),
    (
        "ie.contract_end < ie.departure_date AND (ie.row_departure IS NULL OR ie.row_contract_end IS NULL)",
        "contract_before_departure",
    ),
)


def episode_rule_breaks(*, cursor: Any, today: Any) -> list[tuple[int, str, dict[str, str]]]:
    """Rows whose merged stay breaks a rule: (row number, message code, parameters)."""
    found = []
    for condition, code in EPISODE_RULES:
        cursor.execute(
            f"""SELECT ie.number, (SELECT to_char(o.departure_date, 'DD-MM-YYYY') FROM {EPISODES} o
                                   WHERE o.person_id = ie.person_found_id AND o.status IN {OPEN_SQL}
                                     AND o.id IS DISTINCT FROM ie.found_id LIMIT 1)
                FROM import_episode ie WHERE {condition}""",
            {"today": today},
        )
        found += [(number, code, {"date": date or "—"}) for number, date in cursor.fetchall()]
    return found
