"""Stage and check an import file (issue 4, "stage and validate").

The file is read as a stream, a chunk of rows at a time. Each chunk is checked column by
column with the rules of households.validators (the forms' rules): a column's distinct
values are judged once and remembered, so a village code, a date or a code-list entry
repeated in thousands of rows costs one check. The chunk, parsed and with its problems
attached, goes into the staging table (ImportRow) with COPY. What needs the whole file or
the register — the same NIK twice, one No. KK in two villages, a NIK or KK registered
outside the user's area, possible duplicates — is then judged set-wise in SQL, and the
preview counts come from the same classification the commit uses (commit.classify).

Memory does not grow with the file: only one chunk and the bounded memo are in Python.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.access import Action, AnyUser, Scope, scope_for
from desmigratif.models import Village
from households import validators
from households.countries import country_code
from households.imports.columns import COLUMNS, MIGRATION, Column, match_headers
from households.imports.reading import Table
from households.imports.values import header_key, number_text, parse_choice, parse_date
from households.models import Household, ImportBatch, ImportRow, Job, KKNumber, Person, PlacementAgency

ERROR, WARNING = validators.ERROR, validators.WARNING
HEADERS = {column.key: column.header for column in COLUMNS}
CHUNK_ROWS = 10_000
MEMO_LIMIT = 50_000  # distinct values remembered per column before the memo starts again
PROBLEMS_KEPT = 5000  # on the batch, for the preview page; the staging rows keep them all
_VILLAGE_DIGITS = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")
_NO_PROBLEMS: tuple = ()
NOT_IN_FUTURE = {"birth_date", "departure_date", "actual_return"}  # as the forms: a contract ends later

# ImportRow columns in COPY order, and those that are text (empty stays "" rather than NULL).
ROW_FIELDS = [f for f in ImportRow._meta.concrete_fields if f.name != "id"]
COPY_COLUMNS = [f.column for f in ROW_FIELDS]
PERSONS, HOUSEHOLDS, KK_NUMBERS = (m._meta.db_table for m in (Person, Household, KKNumber))
TEXT_COLUMNS = [f.column for f in ROW_FIELDS if f.get_internal_type() == "TextField"]


@dataclass
class StageResult:
    rows: int = 0
    fatal: list[str] = field(default_factory=list)  # the whole file is refused
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    villages: list[str] = field(default_factory=list)


class _Lookups:
    """Everything the cells are checked against, fetched once per file."""

    def __init__(self, user: AnyUser) -> None:
        self.scope: Scope = scope_for(user, Action.WRITE)
        self.villages = set(self.scope.filter(Village.objects.active(), "code").values_list("code", flat=True))
        self.jobs = {job.code: job.pk for job in Job.objects.active()}
        self.agencies: dict[str, int] = {}
        for agency in PlacementAgency.objects.active():
            self.agencies[header_key(agency.name)] = agency.pk
            if agency.licence_number:
                self.agencies[header_key(agency.licence_number)] = agency.pk
        self.today = timezone.localdate()


Verdict = tuple[Any, tuple[tuple[str, str], ...]]  # (value, ((message, severity), ...))


def _cell_rule(column: Column, lookups: _Lookups) -> Callable[[object], Verdict]:
    """The check of one cell of ``column``, independent of the rest of its row."""
    label = column.header

    def required_or_empty() -> Verdict:
        if column.required:
            return "", ((_("%(label)s is required.") % {"label": label}, ERROR),)
        return "", _NO_PROBLEMS

    def findings(value: Any, found: list[validators.Finding]) -> Verdict:
        return value, tuple((f.message, f.severity) for f in found)

    def rule(raw: object) -> Verdict:
        if column.kind == "date":
            value, error = parse_date(raw)
            if error:
                return None, ((error, ERROR),)
            if value is not None and column.key in NOT_IN_FUTURE and value > lookups.today:
                return None, ((_("%(label)s cannot be in the future.") % {"label": label}, ERROR),)
            return value, _NO_PROBLEMS
        text = number_text(raw) if column.kind in {"nik", "kk", "village", "phone"} else _text(raw)
        if text == "":
            return required_or_empty()
        kind = column.kind
        if column.max_length and len(text) > column.max_length:
            message = _("%(label)s is longer than %(max)s characters.") % {"label": label, "max": column.max_length}
            return "", ((message, ERROR),)
        if kind == "nik":
            return text, _NO_PROBLEMS  # judged with the row's birth date and sex
        if kind == "kk":
            return findings(*validators.check_kk(text, label=label, today=lookups.today))
        if kind == "village":
            match = _VILLAGE_DIGITS.match(text)
            code = ".".join(match.groups()) if match else text
            if code not in lookups.villages:
                message = _("Village %(code)s is not in your area (or does not exist).") % {"code": code}
                return "", ((message, ERROR),)
            return code, _NO_PROBLEMS
        if kind == "phone":
            return findings(*validators.check_phone(text, label=label))
        if kind == "choice":
            value, error = parse_choice(text, list(column.choices), column.extra_aliases)
            return (value, _NO_PROBLEMS) if not error else ("", ((error, ERROR),))
        if kind == "country":
            code = country_code(text)
            return (
                (code, _NO_PROBLEMS) if code else ("", ((_("“%(value)s” is not a country.") % {"value": text}, ERROR),))
            )
        if kind == "job":
            pk = lookups.jobs.get(text.lower())
            return (
                (pk, _NO_PROBLEMS)
                if pk
                else (None, ((_("“%(value)s” is not in the job list.") % {"value": text}, ERROR),))
            )
        if kind == "agency":
            pk = lookups.agencies.get(header_key(text))
            return (
                (pk, _NO_PROBLEMS)
                if pk
                else (None, ((_("“%(value)s” is not in the P3MI list.") % {"value": text}, ERROR),))
            )
        if kind == "passport":
            return findings(*validators.check_passport(text, label=label))
        if kind == "bpjs":
            return findings(*validators.check_bpjs(text, label=label))
        return text, _NO_PROBLEMS

    return rule


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


class _Column:
    """A file column being staged: its spec, its rule, and the verdicts remembered so far."""

    def __init__(self, position: int, column: Column, lookups: _Lookups) -> None:
        self.position = position
        self.spec = column
        self.rule = _cell_rule(column, lookups)
        self.values: dict[object, Any] = {}
        self.problems: dict[object, tuple] = {}
        # Names, addresses and NIKs are mostly unique: remembering them would cost more than
        # it saves, so they take a vectorised path. Everything else repeats.
        self.free_text = column.key in UNIQUE_COLUMNS

    def judge(self, raw_values: tuple) -> tuple[list[Any], dict[int, tuple]]:
        """Values for the record, and the problems by position in the chunk."""
        if self.free_text:
            return self._judge_free_text(raw_values)
        distinct = set(raw_values)
        new = distinct - self.values.keys()
        if len(self.values) + len(new) > MEMO_LIMIT:
            self.values.clear()
            self.problems.clear()
            new = distinct
        for raw in new:
            self.values[raw], self.problems[raw] = self.rule(raw)
        values = list(map(self.values.__getitem__, raw_values))
        bad = {raw for raw in distinct if self.problems[raw]}
        problems = {i: self.problems[raw] for i, raw in enumerate(raw_values) if raw in bad} if bad else {}
        return values, problems

    def _judge_free_text(self, raw_values: tuple) -> tuple[list[Any], dict[int, tuple]]:
        """The same verdicts as the rule, a column at a time: strip, then only the cells that
        are empty, too long or not plain text go through the rule."""
        try:
            values = [raw.strip() for raw in raw_values]  # type: ignore[union-attr]
        except AttributeError:  # numbers and dates from XLSX cells
            values = [_text(raw) for raw in raw_values]
            suspects = range(len(values))
        else:
            limit = self.spec.max_length or 10**9
            if self.spec.kind == "nik":  # "3212…0001.0" is a number a program wrote as a float
                suspects = [i for i, value in enumerate(values) if not value or len(value) > limit or "." in value]
            else:
                suspects = [i for i, value in enumerate(values) if not value or len(value) > limit]
        problems = {}
        for i in suspects:
            values[i], found = self.rule(raw_values[i])
            if found:
                problems[i] = found
        return values, problems


UNIQUE_COLUMNS = {"nik", "name", "address", "employer_name"}


def _problem(column: str, value: object, message: str, severity: str = ERROR) -> dict[str, str]:
    return {"column": column, "value": "" if value is None else str(value), "message": message, "severity": severity}


def _chunks(table: Table, width: int) -> Iterator[list[tuple[int, list[object]]]]:
    rows = iter(table.rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        for index, (number, cells) in enumerate(chunk):
            if len(cells) != width:
                chunk[index] = (number, [*cells[:width], *repeat("", width - len(cells))])
        yield chunk


class _Stager:
    def __init__(self, batch: ImportBatch, columns: dict[int, Column], lookups: _Lookups) -> None:
        self.batch = batch
        self.lookups = lookups
        self.columns = [_Column(position, column, lookups) for position, column in columns.items()]
        self.by_key = {c.spec.key: c for c in self.columns}
        self.nik_header = HEADERS["nik"]
        self.rows = 0

    def stage(self, chunk: list[tuple[int, list[object]]]) -> io.StringIO:
        """The chunk parsed and judged, as CSV for COPY into the staging table."""
        numbers = [number for number, _cells in chunk]
        by_position = list(zip(*(cells for _number, cells in chunk), strict=True))
        size = len(chunk)
        values: dict[str, list[Any]] = {}
        raws: dict[str, tuple] = {}
        row_problems: dict[int, list[dict[str, str]]] = {}
        for column in self.columns:
            raw_values = by_position[column.position]
            values[column.spec.key], problems = column.judge(raw_values)
            raws[column.spec.key] = raw_values
            for i, found in problems.items():
                row_problems.setdefault(i, []).extend(
                    _problem(column.spec.header, raw_values[i], message, severity) for message, severity in found
                )
        warnings = self._check_niks(values, raws, row_problems, size)
        has_migration = self._check_migration(values, row_problems, size)
        problems_json = ["[]"] * size
        is_valid = [True] * size
        for i, found in row_problems.items():
            problems_json[i] = json.dumps(found, ensure_ascii=False)
            is_valid[i] = not any(p["severity"] == ERROR for p in found)
        episode_warnings = self._episode_warnings(values, row_problems, size)

        def column_of(name: str) -> Any:
            if name in values:
                return values[name]
            return repeat(None if name in {"birth_date", "agency", "job", *DATE_KEYS} else "", size)

        data = {
            "batch": repeat(self.batch.pk, size),
            "number": numbers,
            "warnings": warnings,
            "has_migration": has_migration,
            "episode_warnings": episode_warnings,
            "problems": problems_json,
            "is_valid": is_valid,
        }
        buffer = io.StringIO()
        columns = [data[f.name] if f.name in data else column_of(f.name) for f in ROW_FIELDS]
        csv.writer(buffer).writerows(zip(*columns, strict=True))
        buffer.seek(0)
        self.rows += size
        return buffer

    def _episode_warnings(self, values: dict, row_problems: dict, size: int) -> list[str]:
        """Passport and BPJS findings only warn; like the form, they are kept on the episode."""
        stored: dict[int, list[dict]] = {}
        for key, check in (("passport_number", validators.check_passport), ("bpjs_number", validators.check_bpjs)):
            column = self.by_key.get(key)
            if column is None:
                continue
            for i in row_problems:
                if values[key][i]:
                    stored.setdefault(i, []).extend(f.as_json() for f in check(values[key][i])[1])
        warnings = ["[]"] * size
        for i, found in stored.items():
            if found:
                warnings[i] = json.dumps(found)
        return warnings

    def _check_niks(self, values: dict, raws: dict, row_problems: dict, size: int) -> list[str]:
        """The NIK with the birth date and sex of its row; its warnings go on the person."""
        warnings = ["[]"] * size
        niks = values.get("nik")
        if niks is None:
            return warnings
        births = values.get("birth_date") or repeat(None, size)
        sexes = values.get("sex") or repeat(None, size)
        today = self.lookups.today
        check = validators.check_nik
        header = self.nik_header
        for i, (nik, born, sex) in enumerate(zip(niks, births, sexes, strict=True)):
            if not nik:
                continue
            value, _facts, found = check(nik, birth_date=born, sex=sex, label=header, today=today)
            niks[i] = value
            if found:
                errors = [_problem(header, raws["nik"][i], f.message) for f in found if f.is_error]
                if errors:
                    row_problems.setdefault(i, []).extend(errors)
                stored = [f.as_json() for f in found if not f.is_error]
                if stored:
                    warnings[i] = json.dumps(stored)
        return warnings

    def _check_migration(self, values: dict, row_problems: dict, size: int) -> list[bool]:
        present = [values[c.spec.key] for c in self.columns if c.spec.level == MIGRATION]
        if not present:
            return [False] * size
        has_migration = [any(row) for row in zip(*present, strict=True)]
        departures = values.get("departure_date")
        for key in ("contract_end", "actual_return"):
            dates = values.get(key)
            if departures is None or dates is None:
                continue
            for i, (departure, date) in enumerate(zip(departures, dates, strict=True)):
                if date is not None and departure is not None and date < departure:
                    message = _("%(label)s cannot be before the departure date.") % {"label": HEADERS[key]}
                    row_problems.setdefault(i, []).append(_problem(HEADERS[key], date.isoformat(), message))
        statuses = values.get("status")
        if statuses is not None:
            returns = values.get("actual_return") or repeat(None, size)
            for i, (status, returned) in enumerate(zip(statuses, returns, strict=True)):
                if status == "returned" and returned is None:
                    message = _("Enter the date the worker came back.")
                    row_problems.setdefault(i, []).append(_problem(HEADERS["actual_return"], "", message))
        return has_migration


DATE_KEYS = {"departure_date", "contract_end", "actual_return"}


def import_stage(
    *, batch: ImportBatch, table: Table, user: AnyUser, progress: Callable[[int], None] | None = None
) -> StageResult:
    """Stage every row of ``table`` for ``batch`` and judge it; store nothing in the register.
    Runs outside a transaction on purpose: each chunk is committed as it is staged, so a
    page polling the batch sees the progress."""
    result = StageResult()
    matched = match_headers(table.headers)
    if matched.missing:
        result.fatal.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(column.header for column in matched.missing)}
        )
        return result
    if matched.unknown:
        result.notes.append(
            _("These columns are not used and were ignored: %(columns)s.") % {"columns": ", ".join(matched.unknown)}
        )
    ImportRow.objects.filter(batch=batch).delete()
    lookups = _Lookups(user)
    stager = _Stager(batch, matched.columns, lookups)
    copy = (
        f"COPY {ImportRow._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
    )
    # PostgreSQL stores chunk n (psycopg2 lets go of the GIL while it waits) while Python
    # checks chunk n+1: the two cores work at once. The connection is used by one thread
    # at a time: the progress is written between two COPYs.
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1) as copier:
        pending: Future | None = None
        for chunk in _chunks(table, len(table.headers)):
            buffer = stager.stage(chunk)
            if pending is not None:
                pending.result()
                if progress is not None:
                    progress(stager.rows - len(chunk))
            pending = copier.submit(cursor.cursor.copy_expert, copy, buffer)
        if pending is not None:
            pending.result()
    if progress is not None:
        progress(stager.rows)
    result.rows = stager.rows
    if not result.rows:
        result.fatal.append(_("The file has a header row but no data rows."))
        return result
    with connection.cursor() as cursor:
        # The planner needs to know the table just grew by a whole file.
        cursor.execute(f"ANALYZE {ImportRow._meta.db_table} (batch_id, nik, kk_number, village, is_valid)")
    with transaction.atomic():
        result.counts = _judge_across_rows(batch, lookups)
    return result


def _judge_across_rows(batch: ImportBatch, lookups: _Lookups) -> dict[str, int]:
    """The checks that need the whole file or the register, set-wise; then the counts."""
    from households.imports import commit

    rows = ImportRow._meta.db_table
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:

        def flag(
            where: str,
            params: list[Any],
            column: str,
            value_sql: str,
            message: str,
            severity: str = ERROR,
            fill: tuple[str, str] = ("", "''"),
        ) -> int:
            """Add a problem to the rows ``where`` selects. ``fill`` = (placeholder in the
            message, SQL for what replaces it row by row)."""
            placeholder, replacement = fill
            cursor.execute(
                f"""
                UPDATE {rows} r
                SET problems = r.problems || jsonb_build_array(jsonb_build_object(
                        'column', %s, 'value', {value_sql}, 'message', replace(%s, %s, {replacement}),
                        'severity', %s)),
                    is_valid = r.is_valid AND %s
                {where}
                """,
                [column, message, placeholder or "\x01", severity, severity != ERROR, *params],
            )
            return cursor.rowcount

        cursor.execute("DROP TABLE IF EXISTS import_duplicate")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE import_duplicate ON COMMIT DROP AS
            SELECT nik, string_agg(number::text, ', ' ORDER BY number) AS numbers
            FROM {rows} WHERE batch_id = %s AND nik <> '' GROUP BY nik HAVING count(*) > 1
            """,
            [batch.pk],
        )
        counts["duplicates_in_file"] = cursor.rowcount
        if counts["duplicates_in_file"]:
            flag(
                "FROM import_duplicate d WHERE r.batch_id = %s AND r.nik = d.nik",
                [batch.pk],
                HEADERS["nik"],
                "r.nik",
                _("The same NIK appears in rows %(rows)s.") % {"rows": "{rows}"},
                fill=("{rows}", "d.numbers"),
            )
        flag(
            f"""FROM (SELECT kk_number FROM {rows} WHERE batch_id = %s AND kk_number <> '' AND village <> ''
                      GROUP BY kk_number HAVING min(village) <> max(village)) mixed
                WHERE r.batch_id = %s AND r.kk_number = mixed.kk_number""",
            [batch.pk, batch.pk],
            HEADERS["village"],
            "r.village",
            _("Rows with No. KK %(kk)s name different villages.") % {"kk": "{kk}"},
            fill=("{kk}", "r.kk_number"),
        )
        # A NIK or KK registered outside the user's area: refused without saying where.
        if not lookups.scope.is_unlimited:
            for key, sql, message in (
                (
                    "nik",
                    f"""SELECT DISTINCT h.village_id FROM {rows} r
                        JOIN {PERSONS} p ON p.nik = r.nik
                        JOIN {HOUSEHOLDS} h ON h.id = p.household_id WHERE r.batch_id = %s""",
                    _("This NIK cannot be imported here. If it is correct, ask your regency coordinator."),
                ),
                (
                    "kk_number",
                    f"""SELECT DISTINCT h.village_id FROM {rows} r
                        JOIN {HOUSEHOLDS} h ON h.kk_number = r.kk_number WHERE r.batch_id = %s
                        UNION SELECT DISTINCT h.village_id FROM {rows} r
                        JOIN {KK_NUMBERS} k ON k.number = r.kk_number
                        JOIN {HOUSEHOLDS} h ON h.id = k.household_id WHERE r.batch_id = %s""",
                    _("This No. KK cannot be imported here. If it is correct, ask your regency coordinator."),
                ),
            ):
                cursor.execute(sql, [batch.pk] * sql.count("%s"))
                outside = [code for (code,) in cursor.fetchall() if not lookups.scope.contains(code)]
                if not outside:
                    continue
                if key == "nik":
                    where = f"""FROM {PERSONS} p JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                               WHERE r.batch_id = %s AND p.nik = r.nik AND h.village_id = ANY(%s)"""
                    params: list[Any] = [batch.pk, outside]
                else:
                    where = f"""WHERE r.batch_id = %s AND (
                        EXISTS (SELECT 1 FROM {HOUSEHOLDS} h
                                WHERE h.kk_number = r.kk_number AND h.village_id = ANY(%s))
                        OR EXISTS (SELECT 1 FROM {KK_NUMBERS} k JOIN {HOUSEHOLDS} h
                                   ON h.id = k.household_id WHERE k.number = r.kk_number AND h.village_id = ANY(%s)))"""
                    params = [batch.pk, outside, outside]
                flag(where, params, HEADERS[key], f"r.{key}", message)
        # A new NIK whose name and birth date are already registered in the same village.
        counts["possible_duplicates"] = flag(
            f"""WHERE r.batch_id = %s AND r.is_valid AND r.birth_date IS NOT NULL AND r.nik <> ''
               AND NOT EXISTS (SELECT 1 FROM {PERSONS} p0 WHERE p0.nik = r.nik)
               AND EXISTS (SELECT 1 FROM {PERSONS} p JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                           WHERE h.village_id = r.village AND p.birth_date = r.birth_date
                             AND lower(p.name) = lower(r.name))""",
            [batch.pk],
            HEADERS["nik"],
            "r.nik",
            _(
                "Possible duplicate: a person with this name and date of birth is already registered in "
                "this village with another NIK."
            ),
            WARNING,
        )
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE NOT is_valid), coalesce(sum(jsonb_array_length(problems)), 0)
                FROM {rows} WHERE batch_id = %s""",
            [batch.pk],
        )
        total, invalid, problems = cursor.fetchone()
        counts.update(rows=total, rows_invalid=invalid, problems=problems)
        counts.update(commit.classify(batch=batch, cursor=cursor))
    return {key: value for key, value in counts.items() if value or key in {"rows", "problems"}}


def kept_problems(batch: ImportBatch, limit: int = PROBLEMS_KEPT) -> list[dict[str, Any]]:
    """The first problems of a staged batch, in file order, for the preview page."""
    kept: list[dict[str, Any]] = []
    for number, problems in (
        ImportRow.objects.filter(batch=batch).exclude(problems=[]).order_by("number").values_list("number", "problems")
    ).iterator(chunk_size=2000):
        kept.extend({"row": number, **problem} for problem in problems)
        if len(kept) >= limit:
            break
    return kept[:limit]


def staged_villages(batch: ImportBatch) -> list[str]:
    return sorted(
        ImportRow.objects.filter(batch=batch).exclude(village="").values_list("village", flat=True).distinct()
    )
