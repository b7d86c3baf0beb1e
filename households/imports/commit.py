"""Writing a staged import, and undoing it, set-wise.

`import_commit` classifies the valid staged rows again (households.imports.matching),
refuses if the register moved since the preview (households.imports.review), then writes
in one transaction with a handful of `INSERT … SELECT` and `UPDATE … FROM` statements the
merged values the preview showed. Every record written gets its history row
(django-simple-history's tables, same columns, same user) and an ImportChange row tagging
it with the batch and holding its values before. Re-importing the same file writes nothing
and says so.

`import_rollback` removes what the batch created and restores what it changed, unless
records were edited since or other records now depend on them (then nothing is rolled back
and the message says why). A record that a later batch changed and that batch's rollback put
back counts as unedited, so batches can be rolled back newest first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_history_model_for_model

from desmigratif.access import Action, scope_for
from desmigratif.models import User
from households.imports import matching, review
from households.imports.matching import EPISODE_VALUES, HOUSEHOLD_VALUES, PERSON_VALUES
from households.models import Household, ImportBatch, ImportChange, ImportRow, KKNumber, MigrationEpisode, Person

MODELS: dict[str, type[models.Model]] = {"household": Household, "person": Person, "episode": MigrationEpisode}
ROWS = ImportRow._meta.db_table
CHANGES = ImportChange._meta.db_table
Progress = Callable[[int], None]


# Locked for the whole write (or rollback): no other writer can register one of the batch's
# NIKs or KKs, or change a record it matched, half-way through. The KK numbers too, though the
# portal writes them only with their household: while the write's rows are not committed,
# autovacuum would analyse the table, find it empty but large, and the planner would read it
# row by row for every new household (a two-minute stall seen once in three benchmark runs).
_LOCKED_MODELS: list[type[models.Model]] = [*MODELS.values(), KKNumber]
LOCKED = ", ".join(m._meta.db_table for m in _LOCKED_MODELS)


class ImportRefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _history_columns(model: type[models.Model]) -> list[str]:
    historical = get_history_model_for_model(model)
    return [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]


def _write_history(
    cursor: Any, model: type[models.Model], ids_sql: str, kind: str, user: User, when: Any = None
) -> None:
    """History rows for the records ``ids_sql`` selects, as django-simple-history writes them
    (dated by the application's clock, as it does, rather than the transaction's start)."""
    columns = _history_columns(model)
    cursor.execute(
        f"""
        INSERT INTO {get_history_model_for_model(model)._meta.db_table}
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
    columns: list[str],
    source: str,
    id_column: str,
    when: Any,
) -> None:
    """Update the records ``source`` marks 'update' with its merged values: first tag them
    with their values before (for rollback), then write, raising their version."""
    table = model._meta.db_table
    before = ", ".join(f"'{column}', m.{column}" for column in columns)
    cursor.execute(
        f"""
        INSERT INTO {CHANGES} (batch_id, model, object_id, object_ids, action, before, version_after)
        SELECT %s, %s, m.id, '{{}}', 'update', jsonb_build_object({before}), m.version + 1
        FROM {source} s JOIN {table} m ON m.id = s.{id_column} WHERE s.action = 'update'
        """,
        [batch.pk, kind],
    )
    assignments = ", ".join(f"{column} = s.{column}" for column in columns)
    cursor.execute(
        f"""
        UPDATE {table} m SET {assignments}, version = m.version + 1, updated_at = %s
        FROM {source} s WHERE m.id = s.{id_column} AND s.action = 'update'
        """,
        [when],
    )


def _refuse_if_moved(batch: ImportBatch, cursor: Any, today: Any) -> None:
    """The write puts the preview's values over the register only if the register is still as
    the preview saw it; otherwise nothing is written and the records that moved are named."""
    broken = matching.episode_rule_breaks(cursor=cursor, today=today)
    changed, labels = review.changed_since(cursor=cursor, batch=batch)
    if not changed and not broken:
        return
    names = ", ".join(labels)
    if changed > len(labels):
        names += " " + _("and %(count)s more") % {"count": changed - len(labels)}
    if not changed:
        names = _("%(count)s stays abroad") % {"count": len(broken)}
    raise ImportRefusedError(
        _(
            "Since this file was checked, the register changed: %(records)s. Nothing was written, so that "
            "those changes are not overwritten. Check the file again to see what it would change now."
        )
        % {"records": names}
    )


@transaction.atomic
def import_commit(
    *,
    batch: ImportBatch,
    user: User,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the valid staged rows of ``batch`` as its preview showed them. All-or-nothing
    refuses a batch with any invalid row; valid-rows-only skips them. Returns the counts."""
    report = progress or (lambda percent: None)
    staged = ImportRow.objects.filter(batch=batch)
    invalid = staged.filter(is_valid=False).count()
    if invalid and mode == ImportBatch.Mode.ALL_OR_NOTHING:
        raise ImportRefusedError(
            _("%(count)s rows have errors; nothing was written. Fix them, or choose “valid rows only”.")
            % {"count": invalid}
        )
    if not staged.exists():
        raise ImportRefusedError(_("This batch has no rows to write; upload the file again."))
    tables = LOCKED
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        matching.set_based_session(cursor)
        _check_scope_again(batch, user, cursor)
        report(10)
        preview = matching.classify(batch=batch, cursor=cursor, today=today, allocate=True)
        report(25)
        _refuse_if_moved(batch, cursor, today)
        report(30)
        when = timezone.now()

        household_columns = ["id", "kk_number", *HOUSEHOLD_VALUES, "version", "validation_warnings", "is_archived"]
        household_values = ["household_id", "kk_number", *HOUSEHOLD_VALUES, "1", "'[]'::jsonb", "false"]
        _insert(cursor, Household, "import_household", household_columns, household_values, when)
        cursor.execute(
            f"""INSERT INTO {KKNumber._meta.db_table} (household_id, number, recorded_on)
                SELECT household_id, kk_number, %s FROM import_household WHERE action = 'create'""",
            [today],
        )
        person_columns = ["id", "nik", "household_id", *PERSON_VALUES, "version"]
        person_values = ["person_id", "nik", "household_id", *PERSON_VALUES, "1"]
        _insert(cursor, Person, "import_person", person_columns, person_values, when)
        report(45)
        episode_columns = ["id", "person_id", *EPISODE_VALUES, "planned_return", "bpjs_jkk", "bpjs_jkm", "bpjs_jht"]
        episode_values = ["episode_id", "person_id", *EPISODE_VALUES, "NULL", "false", "false", "false"]
        _insert(cursor, MigrationEpisode, "import_episode", [*episode_columns, "version"], [*episode_values, "1"], when)
        report(55)

        _update(cursor, batch, "household", Household, HOUSEHOLD_VALUES, "import_household", "household_id", when)
        _update(cursor, batch, "person", Person, [*PERSON_VALUES, "household_id"], "import_person", "person_id", when)
        _update(cursor, batch, "episode", MigrationEpisode, EPISODE_VALUES, "import_episode", "episode_id", when)
        report(65)

        for kind, table, id_column in (
            ("household", "import_household", "household_id"),
            ("person", "import_person", "person_id"),
            ("episode", "import_episode", "episode_id"),
        ):
            model = MODELS[kind]
            cursor.execute(
                f"""INSERT INTO {CHANGES} (batch_id, model, object_id, object_ids, action, before, version_after)
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
            report({"household": 75, "person": 88, "episode": 94}[kind])
        _write_history(
            cursor,
            KKNumber,
            f"""SELECT k.id FROM {KKNumber._meta.db_table} k JOIN import_household ih
                ON ih.household_id = k.household_id AND ih.action = 'create'""",
            "+",
            user,
            when,
        )
    # The rows with problems stay for the error file (until the purge); the rest now lives
    # in the register.
    staged.filter(problems=[]).delete()
    counts = {"rows_skipped": invalid}
    for key, value in preview.items():
        kind, action = key.split("_", 1)
        counts[f"{kind}_{ {'create': 'created', 'update': 'updated'}.get(action, action) }"] = value
    report(97)
    return counts


def written_message(counts: dict[str, int]) -> str:
    written = sum(value for key, value in counts.items() if key.endswith(("_created", "_updated")))
    if not written:
        return _("Nothing to write: every row is already in the register.")
    return _("%(count)s records written.") % {"count": written}


def _check_scope_again(batch: ImportBatch, user: User, cursor: Any) -> None:
    """The user's areas, and the register, may have changed since the rows were checked: a
    row whose village left the user's areas, or whose NIK or KK was registered outside them
    in the meantime, refuses the commit (checking the file again shows which)."""
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


def _db_type(field: models.Field) -> str:
    # A foreign key's is its target's (ForeignKey.db_type asks the target field).
    db_type = field.db_type(connection)
    if db_type is None:
        raise TypeError(f"{field} has no column type")
    return db_type


def _restore_assignments(model: type[models.Model]) -> str:
    """SET clauses restoring each column from ImportChange.before where it holds the column."""
    parts = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in {"version", "created_at", "updated_at"}:
            continue
        column = field.column
        cast = "c.before -> %s" if field.get_internal_type() == "JSONField" else "(c.before ->> %s)::" + _db_type(field)
        parts.append(
            f"{column} = CASE WHEN c.before ? '{column}' THEN {cast.replace('%s', repr(column))} ELSE m.{column} END"
        )
    return ", ".join(parts)


def _tagged(kind: str) -> str:
    """SQL: (id, version the batch left) of every record of ``kind`` the batch wrote."""
    return f"""SELECT object_id AS id, version_after FROM {CHANGES}
               WHERE batch_id = %(batch)s AND model = '{kind}' AND object_id IS NOT NULL
               UNION ALL
               SELECT unnest(object_ids), version_after FROM {CHANGES}
               WHERE batch_id = %(batch)s AND model = '{kind}' AND action = 'create'"""


def _edited_since(batch: ImportBatch, cursor: Any) -> int:
    """Records the batch wrote that are no longer as it left them. A record a later batch
    changed counts as unedited when that batch was rolled back: its rollback's version
    (version_restored) stands for the version before it, followed back as far as it goes."""
    edited = 0
    for kind, model in MODELS.items():
        cursor.execute(
            f"""
            WITH RECURSIVE current AS (
                SELECT t.id, t.version_after, m.version FROM ({_tagged(kind)}) t
                JOIN {model._meta.db_table} m ON m.id = t.id WHERE m.version <> t.version_after
            ), chain(id, version) AS (
                SELECT id, version FROM current
                UNION
                SELECT c.object_id, c.version_after - 1 FROM chain
                JOIN {CHANGES} c ON c.model = '{kind}' AND c.object_id = chain.id AND c.action = 'update'
                     AND c.version_restored = chain.version
            )
            SELECT count(*) FROM current
            WHERE NOT EXISTS (SELECT 1 FROM chain WHERE chain.id = current.id AND chain.version = current.version_after)
            """,
            {"batch": batch.pk},
        )
        edited += cursor.fetchone()[0]
    return edited


def _outside_area(batch: ImportBatch, user: User, cursor: Any) -> bool:
    """Whether any record the batch wrote now lies outside the user's area."""
    scope = scope_for(user, Action.WRITE)
    if scope.is_unlimited:
        return False
    households, persons, episodes = (m._meta.db_table for m in MODELS.values())
    cursor.execute(
        f"""SELECT DISTINCT h.village_id FROM ({_tagged("household")}) t JOIN {households} h ON h.id = t.id
            UNION SELECT DISTINCT h.village_id FROM ({_tagged("person")}) t JOIN {persons} p ON p.id = t.id
                  JOIN {households} h ON h.id = p.household_id
            UNION SELECT DISTINCT h.village_id FROM ({_tagged("episode")}) t JOIN {episodes} e ON e.id = t.id
                  JOIN {persons} p ON p.id = e.person_id JOIN {households} h ON h.id = p.household_id""",
        {"batch": batch.pk},
    )
    return any(not scope.contains(code) for (code,) in cursor.fetchall())


@transaction.atomic
def import_rollback(*, batch: ImportBatch, user: User, progress: Progress | None = None) -> None:
    """Undo a committed batch exactly, or refuse when records were edited after it, when
    records it created are used by others, or when it now concerns villages outside the
    user's area."""
    report = progress or (lambda percent: None)
    tables = LOCKED
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        matching.set_based_session(cursor)
        if _outside_area(batch, user, cursor):
            raise ImportRefusedError(
                _(
                    "Records of this batch now belong to villages outside your area; roll back was refused. "
                    "Ask your regency coordinator."
                )
            )
        edited = _edited_since(batch, cursor)
        if edited:
            raise ImportRefusedError(
                _(
                    "%(count)s records of this batch were edited after the import; roll back was "
                    "refused so that those edits are not lost."
                )
                % {"count": edited}
            )
        report(20)
        # Children before parents: episodes, then persons, then households. History first,
        # while the rows still exist: a "deleted" row, or the values restored.
        try:
            with transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for step, kind in enumerate(("episode", "person", "household"), start=1):
                    model = MODELS[kind]
                    table = model._meta.db_table
                    of_batch = f"FROM {CHANGES} WHERE batch_id = {int(batch.pk)} AND model = '{kind}'"
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
                            FROM {CHANGES} c
                            WHERE c.batch_id = %s AND c.model = %s AND c.action = 'update' AND m.id = c.object_id""",
                        [batch.pk, kind],
                    )
                    cursor.execute(
                        f"""UPDATE {CHANGES} c SET version_restored = m.version FROM {table} m
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
                    report(20 + 25 * step)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except IntegrityError:
            raise ImportRefusedError(
                _(
                    "Records created by this batch are now used by other records (a service request, "
                    "a migration episode or a member added later); roll back was refused."
                )
            ) from None
