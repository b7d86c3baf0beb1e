"""Writing a staged import, and undoing it (issue 4, "commit" and "rollback"), set-wise.

`classify` decides, for the valid staged rows of a batch, what each household, person
and migration episode is: to create, to update, or unchanged (the preview counts come
from it too). `import_commit` then writes in one transaction with a handful of
`INSERT … SELECT` and `UPDATE … FROM` statements: NIK matches update the person, KK
matches (current or former KK) update the household, the rest is created. Every record
written gets its history row (django-simple-history's tables, same columns, same user)
and an ImportChange row tagging it with the batch and holding its values before.
Re-importing the same file writes nothing and says so.

`import_rollback` removes what the batch created and restores what it changed, unless
records were edited since or other records now depend on them (then nothing is rolled
back and the message says why).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.models import User
from households.models import Household, ImportBatch, ImportChange, ImportRow, KKNumber, MigrationEpisode, Person

MODELS: dict[str, type[models.Model]] = {"household": Household, "person": Person, "episode": MigrationEpisode}

# What an import writes on each record: (model column, SQL over the staging row `r`).
HOUSEHOLD_VALUES = {
    "village_id": "r.village",
    "dusun": "r.dusun",
    "rt": "r.rt",
    "rw": "r.rw",
    "address": "r.address",
    "phone": "r.phone",
}
PERSON_VALUES = {
    "name": "r.name",
    "sex": "r.sex",
    "birth_place": "r.birth_place",
    "birth_date": "r.birth_date",
    "relationship": "r.relationship",
    "religion": "r.religion",
    "education": "r.education",
    "occupation": "r.occupation",
    "marital_status": "r.marital_status",
    "validation_warnings": "r.warnings",
}
EPISODE_VALUES = {
    "status": "coalesce(nullif(r.status, ''), 'other')",
    "scheme": "r.scheme",
    "procedural": "coalesce(nullif(r.procedural, ''), 'unknown')",
    "agency_id": "r.agency",
    "destination_country": "r.destination_country",
    "employer_name": "r.employer_name",
    "employer_kind": "r.employer_kind",
    "sector": "r.sector",
    "job_id": "r.job",
    "departure_date": "r.departure_date",
    "contract_end": "r.contract_end",
    "actual_return": "r.actual_return",
    "return_reason": "r.return_reason",
    "bpjs_number": "r.bpjs_number",
    "passport_number": "r.passport_number",
    "validation_warnings": "r.episode_warnings",
}
ROWS = ImportRow._meta.db_table


class ImportRefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _row(columns: dict[str, str], alias: str) -> str:
    """`(a.x, a.y, …)` for a row comparison."""
    return "(" + ", ".join(f"{alias}.{column}" for column in columns) + ")"


def _new_id(model: type[models.Model], allocate: bool) -> str:
    """SQL for the id of a record to create: drawn from its table's sequence when writing,
    so that one INSERT … SELECT writes rows whose ids are already known (no RETURNING and
    no second pass); NULL for a preview."""
    if not allocate:
        return "NULL::bigint"
    return f"nextval(pg_get_serial_sequence('{model._meta.db_table}', 'id'))"


def classify(*, batch: ImportBatch, cursor: Any, allocate: bool = False) -> dict[str, int]:
    """Fill the temporary tables import_household, import_person and import_episode (dropped
    at the end of the transaction) with the valid rows of ``batch``, the record each one
    matches (or, with ``allocate``, the id it will be created with) and its action: create,
    update or same. Returns the preview counts."""
    household_table, person_table, episode_table = (m._meta.db_table for m in MODELS.values())
    cursor.execute("DROP TABLE IF EXISTS import_household, import_person, import_episode")
    # Households: one per No. KK, with the values of its first row; matched by the current
    # KK, else by a former one (the household then takes the KK back).
    values = ", ".join(f"{sql} AS {column}" for column, sql in HOUSEHOLD_VALUES.items())
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_household ON COMMIT DROP AS
        WITH first AS (
            SELECT DISTINCT ON (r.kk_number) r.kk_number, {values}
            FROM {ROWS} r WHERE r.batch_id = %s AND r.is_valid
            ORDER BY r.kk_number, r.number
        )
        SELECT first.*, coalesce(found.id, {_new_id(Household, allocate)}) AS household_id,
               CASE WHEN found.id IS NULL THEN 'create'
                    WHEN {_row(HOUSEHOLD_VALUES, "h")} IS DISTINCT FROM {_row(HOUSEHOLD_VALUES, "first")}
                         OR h.kk_number <> first.kk_number THEN 'update'
                    ELSE 'same' END AS action
        FROM first
        LEFT JOIN LATERAL (
            SELECT id FROM (
                SELECT 0 AS rank, h0.id FROM {household_table} h0 WHERE h0.kk_number = first.kk_number
                UNION ALL
                SELECT 1, k.household_id FROM {KKNumber._meta.db_table} k WHERE k.number = first.kk_number
            ) candidates ORDER BY rank, id LIMIT 1
        ) found ON true
        LEFT JOIN {household_table} h ON h.id = found.id
        """,
        [batch.pk],
    )
    cursor.execute("ANALYZE import_household")
    values = ", ".join(f"{sql} AS {column}" for column, sql in PERSON_VALUES.items())
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_person ON COMMIT DROP AS
        SELECT r.number, r.nik, r.kk_number, ih.household_id, {values},
               coalesce(p.id, {_new_id(Person, allocate)}) AS person_id,
               CASE WHEN p.id IS NULL THEN 'create'
                    WHEN {_row(PERSON_VALUES, "p")} IS DISTINCT FROM {_row(PERSON_VALUES, "r2")}
                         OR p.household_id IS DISTINCT FROM ih.household_id THEN 'update'
                    ELSE 'same' END AS action
        FROM {ROWS} r
        JOIN import_household ih ON ih.kk_number = r.kk_number
        LEFT JOIN {person_table} p ON p.nik = r.nik
        CROSS JOIN LATERAL (SELECT {values}) r2
        WHERE r.batch_id = %s AND r.is_valid
        """,
        [batch.pk],
    )
    cursor.execute("ANALYZE import_person")
    values = ", ".join(f"{sql} AS {column}" for column, sql in EPISODE_VALUES.items())
    # The same stay abroad is the one with the same departure date (or the one without a
    # date, being prepared); anything else is a new episode.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_episode ON COMMIT DROP AS
        SELECT r.nik, ip.person_id, {values}, coalesce(e.id, {_new_id(MigrationEpisode, allocate)}) AS episode_id,
               CASE WHEN e.id IS NULL THEN 'create'
                    WHEN {_row(EPISODE_VALUES, "e")} IS DISTINCT FROM {_row(EPISODE_VALUES, "r2")} THEN 'update'
                    ELSE 'same' END AS action
        FROM {ROWS} r
        JOIN import_person ip ON ip.nik = r.nik
        CROSS JOIN LATERAL (SELECT {values}) r2
        LEFT JOIN LATERAL (
            SELECT * FROM {episode_table} e0
            WHERE e0.person_id = ip.person_id AND e0.departure_date IS NOT DISTINCT FROM r.departure_date
            ORDER BY e0.id LIMIT 1
        ) e ON true
        WHERE r.batch_id = %s AND r.is_valid AND r.has_migration
        """,
        [batch.pk],
    )
    # Autovacuum never analyses temporary tables; without statistics the joins below and in
    # the commit are planned for a handful of rows.
    cursor.execute("ANALYZE import_episode")
    counts: dict[str, int] = {}
    for kind, table in (("household", "import_household"), ("person", "import_person"), ("episode", "import_episode")):
        cursor.execute(f"SELECT action, count(*) FROM {table} GROUP BY action")
        for action, count in cursor.fetchall():
            counts[f"{kind}s_{'unchanged' if action == 'same' else action}"] = count
    return counts


def _history_columns(model: type[models.Model]) -> list[str]:
    historical = model.history.model  # type: ignore[attr-defined]
    return [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]


def _write_history(
    cursor: Any, model: type[models.Model], ids_sql: str, kind: str, user: User, when: Any = None
) -> None:
    """History rows for the records ``ids_sql`` selects, as django-simple-history writes them
    (dated by the application's clock, as it does, rather than the transaction's start)."""
    columns = _history_columns(model)
    cursor.execute(
        f"""
        INSERT INTO {model.history.model._meta.db_table}
            ({", ".join(columns)}, history_date, history_change_reason, history_type, history_user_id)
        SELECT {", ".join(f"m.{c}" for c in columns)}, %s, NULL, %s, %s
        FROM {model._meta.db_table} m WHERE m.id IN ({ids_sql})
        """,
        [when or timezone.now(), kind, user.pk],
    )


def _insert(
    cursor: Any, model: type[models.Model], source: str, columns: list[str], values: list[str], when: Any
) -> None:
    """One INSERT … SELECT of the records ``source`` marks 'create' (their ids are allocated)."""
    cursor.execute(
        f"""INSERT INTO {model._meta.db_table} ({", ".join(columns)}, created_at, updated_at)
            SELECT {", ".join(values)}, %s, %s FROM {source} WHERE action = 'create'""",
        [when, when],
    )


def _update(
    cursor: Any,
    batch: ImportBatch,
    kind: str,
    model: type[models.Model],
    values: dict[str, str],
    source: str,
    id_column: str,
    when: Any,
) -> None:
    """Update the records ``source`` marks 'update': first tag them with their values before
    (for rollback), then write, raising their version."""
    table = model._meta.db_table
    before = ", ".join(f"'{column}', m.{column}" for column in values)
    cursor.execute(
        f"""
        INSERT INTO {ImportChange._meta.db_table}
            (batch_id, model, object_id, object_ids, action, before, version_after)
        SELECT %s, %s, m.id, '{{}}', 'update', jsonb_build_object({before}), m.version + 1
        FROM {source} s JOIN {table} m ON m.id = s.{id_column} WHERE s.action = 'update'
        """,
        [batch.pk, kind],
    )
    assignments = ", ".join(f"{column} = s.{column}" for column in values)
    cursor.execute(
        f"""
        UPDATE {table} m SET {assignments}, version = m.version + 1, updated_at = %s
        FROM {source} s WHERE m.id = s.{id_column} AND s.action = 'update'
        """,
        [when],
    )


@transaction.atomic
def import_commit(*, batch: ImportBatch, user: User, mode: str = ImportBatch.Mode.ALL_OR_NOTHING) -> ImportBatch:
    """Write the valid staged rows of ``batch``. All-or-nothing refuses a batch with any invalid
    row; valid-rows-only skips them. A batch that writes nothing says so."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    staged = ImportRow.objects.filter(batch=batch)
    invalid = staged.filter(is_valid=False).count()
    if invalid and mode == ImportBatch.Mode.ALL_OR_NOTHING:
        raise ImportRefusedError(
            _("%(count)s rows have errors; nothing was written. Fix them, or choose “valid rows only”.")
            % {"count": invalid}
        )
    if not staged.exists():
        raise ImportRefusedError(_("This batch has no rows to write; upload the file again."))
    household_table, person_table = Household._meta.db_table, Person._meta.db_table
    with connection.cursor() as cursor:
        # No other import or edit can register one of these NIKs or KKs while this runs.
        cursor.execute(f"LOCK TABLE {household_table}, {person_table} IN SHARE ROW EXCLUSIVE MODE")
        _check_scope_again(batch, user, cursor)
        # Households found by a former KK take it back as their current one (rare: one by one).
        from households.services import household_kk_change

        cursor.execute(
            f"""SELECT DISTINCT h.id, r.kk_number FROM {ROWS} r
                JOIN {KKNumber._meta.db_table} k ON k.number = r.kk_number
                JOIN {household_table} h ON h.id = k.household_id
                WHERE r.batch_id = %s AND r.is_valid AND h.kk_number <> r.kk_number
                  AND NOT EXISTS (SELECT 1 FROM {household_table} h2 WHERE h2.kk_number = r.kk_number)""",
            [batch.pk],
        )
        for household_id, kk in cursor.fetchall():
            household_kk_change(household=Household.objects.get(pk=household_id), number=kk, user=user)
        preview = classify(batch=batch, cursor=cursor, allocate=True)
        when = timezone.now()

        household_columns = ["id", "kk_number", *HOUSEHOLD_VALUES, "version", "validation_warnings", "is_archived"]
        household_values = ["household_id", "kk_number", *HOUSEHOLD_VALUES, "1", "'[]'::jsonb", "false"]
        _insert(cursor, Household, "import_household", household_columns, household_values, when)
        cursor.execute(
            f"""INSERT INTO {KKNumber._meta.db_table} (household_id, number, recorded_on)
                SELECT household_id, kk_number, %s FROM import_household WHERE action = 'create'""",
            [timezone.localdate()],
        )
        person_columns = ["id", "nik", "household_id", *PERSON_VALUES, "version"]
        person_values = ["person_id", "nik", "household_id", *PERSON_VALUES, "1"]
        _insert(cursor, Person, "import_person", person_columns, person_values, when)
        episode_columns = ["id", "person_id", *EPISODE_VALUES, "planned_return", "bpjs_jkk", "bpjs_jkm", "bpjs_jht"]
        episode_values = ["episode_id", "person_id", *EPISODE_VALUES, "NULL", "false", "false", "false"]
        _insert(cursor, MigrationEpisode, "import_episode", [*episode_columns, "version"], [*episode_values, "1"], when)

        _update(cursor, batch, "household", Household, HOUSEHOLD_VALUES, "import_household", "household_id", when)
        _update(
            cursor,
            batch,
            "person",
            Person,
            {**PERSON_VALUES, "household_id": ""},
            "import_person",
            "person_id",
            when,
        )
        _update(cursor, batch, "episode", MigrationEpisode, EPISODE_VALUES, "import_episode", "episode_id", when)

        for kind, table, id_column in (
            ("household", "import_household", "household_id"),
            ("person", "import_person", "person_id"),
            ("episode", "import_episode", "episode_id"),
        ):
            model = MODELS[kind]
            cursor.execute(
                f"""INSERT INTO {ImportChange._meta.db_table}
                        (batch_id, model, object_id, object_ids, action, before, version_after)
                    SELECT %s, %s, NULL, array_agg({id_column}), 'create', '{{}}'::jsonb, 1
                    FROM {table} WHERE action = 'create' HAVING count(*) > 0""",
                [batch.pk, kind],
            )
            for action, history_type in (("create", "+"), ("update", "~")):
                _write_history(
                    cursor,
                    model,
                    f"SELECT {id_column} FROM {table} WHERE action = '{action}'",
                    history_type,
                    user,
                    when,
                )
        _write_history(
            cursor,
            KKNumber,
            f"""SELECT k.id FROM {KKNumber._meta.db_table} k JOIN import_household ih
                ON ih.household_id = k.household_id AND ih.action = 'create'""",
            "+",
            user,
            when,
        )

    counts = {"rows_skipped": invalid}
    for key, value in preview.items():
        kind, action = key.split("_", 1)
        counts[f"{kind}_{ {'create': 'created', 'update': 'updated'}.get(action, action) }"] = value
    written = sum(value for key, value in counts.items() if key.endswith(("_created", "_updated")))
    staged.delete()
    batch.counts = counts
    batch.mode = mode
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.upload = None  # written: the rows now live in the register
    batch.progress = 100
    batch.message = (
        _("Nothing to write: every row is already in the register.")
        if not written
        else _("%(count)s records written.") % {"count": written}
    )
    batch.save()
    return batch


def _check_scope_again(batch: ImportBatch, user: User, cursor: Any) -> None:
    """The user's areas, and the register, may have changed since the rows were checked: a
    row whose village left the user's areas, or whose NIK or KK was registered outside them
    in the meantime, refuses the commit (checking the file again shows which)."""
    from desmigratif.access import Action, scope_for

    scope = scope_for(user, Action.WRITE)
    if scope.is_unlimited:
        return
    household_table, person_table = Household._meta.db_table, Person._meta.db_table
    cursor.execute(
        f"""
        SELECT DISTINCT r.village FROM {ROWS} r WHERE r.batch_id = %(batch)s AND r.is_valid
        UNION SELECT DISTINCT h.village_id FROM {ROWS} r JOIN {person_table} p ON p.nik = r.nik
            JOIN {household_table} h ON h.id = p.household_id WHERE r.batch_id = %(batch)s AND r.is_valid
        UNION SELECT DISTINCT h.village_id FROM {ROWS} r JOIN {household_table} h ON h.kk_number = r.kk_number
            WHERE r.batch_id = %(batch)s AND r.is_valid
        UNION SELECT DISTINCT h.village_id FROM {ROWS} r JOIN {KKNumber._meta.db_table} k ON k.number = r.kk_number
            JOIN {household_table} h ON h.id = k.household_id WHERE r.batch_id = %(batch)s AND r.is_valid
        """,
        {"batch": batch.pk},
    )
    if any(not scope.contains(code) for (code,) in cursor.fetchall()):
        raise ImportRefusedError(
            _(
                "Since this file was checked, some of its rows have come to concern villages outside your "
                "area. Nothing was written; upload the file again to see which rows."
            )
        )


def _restore_assignments(model: type[models.Model]) -> str:
    """SET clauses restoring each column from ImportChange.before where it holds the column."""
    parts = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in {"version", "created_at", "updated_at"}:
            continue
        column = field.column
        cast = (
            "c.before -> %s"
            if field.get_internal_type() == "JSONField"
            else "(c.before ->> %s)::"
            + (field.rel_db_type(connection) if field.is_relation else field.db_type(connection))
        )
        parts.append(
            f"{column} = CASE WHEN c.before ? '{column}' THEN {cast.replace('%s', repr(column))} ELSE m.{column} END"
        )
    return ", ".join(parts)


@transaction.atomic
def import_rollback(*, batch: ImportBatch, user: User) -> ImportBatch:
    """Undo a committed batch exactly, or refuse when records were edited after it."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ImportRefusedError(_("Only a committed batch can be rolled back."))
    changes = ImportChange._meta.db_table
    with connection.cursor() as cursor:
        edited = 0
        for kind, model in MODELS.items():
            cursor.execute(
                f"""WITH tagged AS (
                        SELECT object_id AS id, version_after FROM {changes}
                        WHERE batch_id = %(batch)s AND model = %(kind)s AND object_id IS NOT NULL
                        UNION ALL
                        SELECT unnest(object_ids), version_after FROM {changes}
                        WHERE batch_id = %(batch)s AND model = %(kind)s AND action = 'create'
                    )
                    SELECT count(*) FROM tagged t JOIN {model._meta.db_table} m ON m.id = t.id
                    WHERE m.version <> t.version_after""",
                {"batch": batch.pk, "kind": kind},
            )
            edited += cursor.fetchone()[0]
        if edited:
            raise ImportRefusedError(
                _(
                    "%(count)s records of this batch were edited after the import; roll back was "
                    "refused so that those edits are not lost."
                )
                % {"count": edited}
            )
        # Children before parents: episodes, then persons, then households. History first,
        # while the rows still exist: a "deleted" row, or the values restored.
        try:
            with transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for kind in ("episode", "person", "household"):
                    model = MODELS[kind]
                    table = model._meta.db_table
                    of_batch = f"FROM {changes} WHERE batch_id = {int(batch.pk)} AND model = '{kind}'"
                    created = (
                        f"SELECT unnest(object_ids) {of_batch} AND action = 'create' "
                        f"UNION ALL SELECT object_id {of_batch} AND action = 'create' AND object_id IS NOT NULL"
                    )
                    if kind == "household":
                        _write_history(
                            cursor,
                            KKNumber,
                            f"SELECT id FROM {KKNumber._meta.db_table} WHERE household_id IN ({created})",
                            "-",
                            user,
                        )
                        cursor.execute(f"DELETE FROM {KKNumber._meta.db_table} WHERE household_id IN ({created})")
                    _write_history(cursor, model, created, "-", user)
                    cursor.execute(f"DELETE FROM {table} WHERE id IN ({created})")
                    cursor.execute(
                        f"""UPDATE {table} m SET {_restore_assignments(model)}, version = m.version + 1,
                                updated_at = now()
                            FROM {changes} c
                            WHERE c.batch_id = %s AND c.model = %s AND c.action = 'update' AND m.id = c.object_id""",
                        [batch.pk, kind],
                    )
                    _write_history(
                        cursor,
                        model,
                        f"SELECT object_id {of_batch} AND action = 'update'",
                        "~",
                        user,
                    )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except IntegrityError:
            raise ImportRefusedError(
                _(
                    "Records created by this batch are now used by other records (a service request, "
                    "a migration episode or a member added later); roll back was refused."
                )
            ) from None
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = user
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    return batch
