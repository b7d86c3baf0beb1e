"""What a batch would change, shown before it is written, and the guarantee that what was
shown is what gets written.

`changes_summary` reads the classification (households.imports.matching) and says, field by
field, how many registered records would change, with a few before/after examples, and how
many registered values would be removed (the merge rules make that zero; the count is taken
from the same values the write uses, so it would show a breach rather than hide it).

`seen_record` keeps the version of every registered record the preview matched; at the write,
`changed_since` names the records that moved since (another user's edit, a record registered
or deleted meanwhile), and the write is refused instead of quietly putting the file's values
over someone's work.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from desmigratif.models import Village
from households.imports.matching import (
    EPISODE_FIELDS,
    EPISODES,
    HOUSEHOLD_FIELDS,
    HOUSEHOLDS,
    PERSON_FIELDS,
    PERSONS,
)
from households.models import Household, ImportBatch, ImportSeen, Job, MigrationEpisode, Person, PlacementAgency

EXAMPLES = 3
SEEN = ImportSeen._meta.db_table


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    table: str  # the classification's temporary table
    id_column: str
    columns: tuple[str, ...]  # the fields an import writes
    label: str  # SQL over the classification row `s`: how the officer knows the record


KINDS = (
    Kind("household", Household, "import_household", "household_id", tuple(HOUSEHOLD_FIELDS), "s.label"),
    Kind("person", Person, "import_person", "person_id", (*PERSON_FIELDS, "household_id"), "s.name"),
    Kind("episode", MigrationEpisode, "import_episode", "episode_id", tuple(EPISODE_FIELDS), "s.name"),
)
TABLES: dict[type[models.Model], str] = {Household: HOUSEHOLDS, Person: PERSONS, MigrationEpisode: EPISODES}


def _field(model: type[models.Model], column: str) -> models.Field:
    return next(f for f in model._meta.concrete_fields if f.column == column)


def _blank(model: type[models.Model], column: str, alias: str) -> str:
    field = _field(model, column)
    if field.get_internal_type() in {"CharField", "TextField", "SlugField"}:
        return f"coalesce({alias}.{column}, '') = ''"
    return f"{alias}.{column} IS NULL"


def changes_summary(*, cursor: Any) -> dict[str, Any]:
    """Per kind of record and field: records whose value changes, values removed, examples.
    Reads the classification of the current transaction."""
    summary: dict[str, Any] = {"fields": [], "removed": 0}
    for kind in KINDS:
        table = TABLES[kind.model]
        measures = []
        for column in kind.columns:
            changed = f"m.{column} IS DISTINCT FROM s.{column}"
            removed = f"NOT ({_blank(kind.model, column, 'm')}) AND {_blank(kind.model, column, 's')}"
            measures += [f"count(*) FILTER (WHERE {changed})", f"count(*) FILTER (WHERE {removed})"]
        cursor.execute(
            f"""SELECT {", ".join(measures)} FROM {kind.table} s JOIN {table} m ON m.id = s.found_id
                WHERE s.action = 'update'"""
        )
        figures = cursor.fetchone()
        for index, column in enumerate(kind.columns):
            changed, removed = figures[2 * index], figures[2 * index + 1]
            if not changed:
                continue
            before, after = f"m.{column}", f"s.{column}"
            if column == "household_id":  # a person moving: show the family cards
                before = f"(SELECT kk_number FROM {HOUSEHOLDS} WHERE id = m.household_id)"
                after = "s.kk_number"
            cursor.execute(
                f"""SELECT {kind.label}, {before}, {after} FROM {kind.table} s JOIN {table} m ON m.id = s.found_id
                    WHERE s.action = 'update' AND m.{column} IS DISTINCT FROM s.{column}
                    ORDER BY s.number LIMIT {EXAMPLES}"""
            )
            examples = [[label, _json(old), _json(new)] for label, old, new in cursor.fetchall()]
            summary["fields"].append(
                {"kind": kind.name, "field": column, "changed": changed, "removed": removed, "examples": examples}
            )
            summary["removed"] += removed
    return summary


def _json(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def seen_record(*, cursor: Any, batch: ImportBatch) -> None:
    """Keep the version of every registered record the preview matched."""
    cursor.execute(f"DELETE FROM {SEEN} WHERE batch_id = %s", [batch.pk])
    parts = [
        f"SELECT %(batch)s, '{kind.name}', s.found_id, s.seen_version FROM {kind.table} s WHERE s.found_id IS NOT NULL"
        for kind in KINDS
    ]
    cursor.execute(
        f"INSERT INTO {SEEN} (batch_id, model, object_id, version) {' UNION ALL '.join(parts)}", {"batch": batch.pk}
    )


def changed_since(*, cursor: Any, batch: ImportBatch, limit: int = 10) -> tuple[int, list[str]]:
    """Registered records the write would touch that are not as the preview saw them: edited,
    registered or deleted since. Their number, and how the officer knows the first few."""
    labels: list[str] = []
    total = 0
    for kind in KINDS:
        table = TABLES[kind.model]
        cursor.execute(
            f"""SELECT {kind.label} FROM {kind.table} s JOIN {table} m ON m.id = s.found_id
                LEFT JOIN {SEEN} seen ON seen.batch_id = %(batch)s AND seen.model = '{kind.name}'
                     AND seen.object_id = s.found_id
                WHERE seen.version IS DISTINCT FROM m.version
                UNION ALL
                SELECT NULL FROM {SEEN} seen WHERE seen.batch_id = %(batch)s AND seen.model = '{kind.name}'
                    AND NOT EXISTS (SELECT 1 FROM {kind.table} s WHERE s.found_id = seen.object_id)""",
            {"batch": batch.pk},
        )
        found = [label for (label,) in cursor.fetchall()]
        total += len(found)
        for label in found:
            if label is None:
                label = _("a record that was deleted")
            elif kind.name == "household":
                label = _("Family of %(name)s") % {"name": label}
            elif kind.name == "episode":
                label = _("stay abroad of %(name)s") % {"name": label}
            if len(labels) < limit and label not in labels:
                labels.append(label)
    return total, labels


def describe(model_name: str, column: str, value: Any) -> str:
    """A stored value as the preview shows it: labels for codes, names for references, dates
    as Indonesians write them."""
    if value in (None, ""):
        return "—"
    model = {"household": Household, "person": Person, "episode": MigrationEpisode}[model_name]
    field = _field(model, column)
    if column == "household_id":
        return str(value)  # already the family card number
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    if field.is_relation:
        referenced: dict[object, type[models.Model]] = {Village: Village, PlacementAgency: PlacementAgency, Job: Job}
        target = referenced.get(field.related_model)
        record = target._default_manager.filter(pk=value).first() if target else None
        return str(record) if record is not None else str(value)
    return str(value)


def field_label(model_name: str, column: str) -> str:
    model = {"household": Household, "person": Person, "episode": MigrationEpisode}[model_name]
    if column == "household_id":
        return str(_("household (No. KK)"))
    return str(_field(model, column).verbose_name)
