"""Stage and check an import file: everything the preview shows, nothing written yet.

The file is read as a stream, a chunk of rows at a time. Each chunk is checked column by
column with the rules of households.validators (the forms' rules): a column's distinct
values are judged once and remembered, so a village code, a date or a code-list entry
repeated in thousands of rows costs one check. The chunk, parsed and with its problems
attached, goes into the staging table (ImportRow) with COPY. What needs the whole file or
the register is then judged set-wise in SQL: Excel's damage to a whole column, the same NIK
twice, a household's head and its disagreeing rows, NIKs and KKs registered outside the
user's area, possible duplicates, and the stays abroad as they would be after the merge
(households.imports.matching). The preview's counts and its field-by-field changes come from
the same classification the write uses.

Memory does not grow with the file: only one chunk and the bounded memo are in Python.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.access import Action, AnyUser, Scope, scope_for
from desmigratif.models import Village, village_code_from
from desmigratif.services import nik_elsewhere_allowance, nik_elsewhere_record
from households import validators
from households.countries import country_code
from households.forms import nik_limit_message
from households.imports import matching, review
from households.imports.columns import COLUMNS, JOB_SPELLINGS, MIGRATION, Column, match_headers, occupation
from households.imports.reading import Table
from households.imports.values import (
    PLACEHOLDER_LONGEST,
    header_key,
    is_placeholder,
    is_placeholder_phone,
    number_text,
    parse_date,
)
from households.models import EpisodeStatus, Household, ImportBatch, ImportRow, Job, KKNumber, Person, PlacementAgency

ERROR, WARNING = validators.ERROR, validators.WARNING
HEADERS = {column.key: column.header for column in COLUMNS}
CHUNK_ROWS = 10_000
MEMO_LIMIT = 50_000  # distinct values remembered per column before the memo starts again
PROBLEMS_KEPT = 5000  # on the batch, for the preview page; the staging rows keep them all
EXAMPLE_ROWS_CHECKED = 20  # the template's example row is near the top
_NO_PROBLEMS: tuple = ()
NOT_IN_FUTURE = {"birth_date", "actual_return"}  # a contract ends later; a departure may be planned
UNREADABLE = "\ufffd"  # what the reader put where a few bytes were not text
ReadingProgress = Callable[[int], None]  # percent done

# ImportRow columns in COPY order, and those that are text (empty stays "" rather than NULL).
ROW_FIELDS = [f for f in ImportRow._meta.concrete_fields if f.name not in {"id", "cells"}]
COPY_COLUMNS = [f.column for f in ROW_FIELDS]
PERSONS, HOUSEHOLDS, KK_NUMBERS = (m._meta.db_table for m in (Person, Household, KKNumber))
ROWS = ImportRow._meta.db_table
TEXT_COLUMNS = [f.column for f in ROW_FIELDS if f.get_internal_type() == "TextField"]
DATE_KEYS = {"departure_date", "contract_end", "actual_return"}
HOUSEHOLD_TEXT = ("dusun", "rt", "rw", "address", "phone")  # may disagree between rows of one KK


@dataclass
class StageResult:
    rows: int = 0
    fatal: list[str] = field(default_factory=list)  # the whole file is refused
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    villages: list[str] = field(default_factory=list)
    review: dict[str, Any] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)


class _Lookups:
    """Everything the cells are checked against, fetched once per file."""

    def __init__(self, user: AnyUser) -> None:
        self.scope: Scope = scope_for(user, Action.WRITE)
        self.villages = set(self.scope.filter(Village.objects.active(), "code").values_list("code", flat=True))
        jobs = {job.code: job.pk for job in Job.objects.active()}
        self.jobs = {header_key(spelling): jobs[code] for spelling, code in JOB_SPELLINGS.items() if code in jobs}
        for job in Job.objects.active():
            self.jobs[header_key(job.name)] = job.pk
            self.jobs[header_key(job.code)] = job.pk
        self.agencies: dict[str, int] = {}
        for agency in PlacementAgency.objects.active():
            self.agencies[agency_key(agency.name)] = agency.pk
            if agency.licence_number:
                self.agencies[header_key(agency.licence_number)] = agency.pk
        self.today = timezone.localdate()


def agency_key(name: str) -> str:
    """ "PT Bina Karya", "Bina Karya, PT" and "PT. BINA KARYA" are one agency."""
    return header_key(re.sub(r"(?i)^\s*pt\b\.?|,?\s*\bpt\.?\s*$", "", name))


Verdict = tuple[Any, tuple[tuple[str, str], ...]]  # (value, ((message, severity), ...))


def _unreadable(label: str) -> tuple[tuple[str, str], ...]:
    message = _(
        "%(label)s holds characters that could not be read (a few bytes of the file are damaged here): type it again."
    ) % {"label": label}
    return ((message, ERROR),)


def _cell_rule(column: Column, lookups: _Lookups) -> Callable[[object], Verdict]:
    """The check of one cell of ``column``, independent of the rest of its row. A value that
    fails its check is taken for blank if it is only a placeholder ("-", "tidak ada", "0" for
    a phone): asked only on failure, since most values pass."""
    label = column.header
    kind = column.kind
    # A name is never a placeholder word ("Na" is a name); only punctuation is.
    placeholder = (
        is_placeholder_phone if kind == "phone" else _punctuation_only if column.key == "name" else is_placeholder
    )

    def required_or_empty() -> Verdict:
        if column.required:
            return "", ((_("%(label)s is required.") % {"label": label}, ERROR),)
        return "", _NO_PROBLEMS

    def findings(value: Any, found: list[validators.Finding]) -> Verdict:
        return value, tuple((f.message, f.severity) for f in found)

    def refused(message: str, value: Any = "") -> Verdict:
        return value, ((message, ERROR),)

    def village(text: str) -> Verdict:
        code = village_code_from(text)
        if code not in lookups.villages:
            return refused(_("Village %(code)s is not in your area (or does not exist).") % {"code": code})
        return code, _NO_PROBLEMS

    def choice(text: str) -> Verdict:
        value = column.lookup(text)
        if value is None:
            codes = ", ".join(code for code, _label in column.choices)
            return refused(_("“%(value)s” is not one of: %(codes)s.") % {"value": text, "codes": codes})
        return value, _NO_PROBLEMS

    def country(text: str) -> Verdict:
        code = country_code(text)
        return (code, _NO_PROBLEMS) if code else refused(_("“%(value)s” is not a country.") % {"value": text})

    def job(text: str) -> Verdict:
        pk = lookups.jobs.get(header_key(text))
        return (pk, _NO_PROBLEMS) if pk else refused(_("“%(value)s” is not in the job list.") % {"value": text}, None)

    def agency(text: str) -> Verdict:
        pk = lookups.agencies.get(header_key(text)) or lookups.agencies.get(agency_key(text))
        return (pk, _NO_PROBLEMS) if pk else refused(_("“%(value)s” is not in the P3MI list.") % {"value": text}, None)

    def free(text: str) -> Verdict:
        return required_or_empty() if placeholder(text) else (text, _NO_PROBLEMS)

    def job_at_home(text: str) -> Verdict:
        return ("", _NO_PROBLEMS) if placeholder(text) else (occupation(text), _NO_PROBLEMS)

    checks: dict[str, Callable[[str], Verdict]] = {
        "nik": free,  # judged afterwards, with the row's birth date and sex
        "kk": lambda text: findings(*validators.check_kk(text, label=label, today=lookups.today)),
        "village": village,
        "phone": lambda text: findings(*validators.check_phone(text, label=label)),
        "choice": choice,
        "country": country,
        "job": job,
        "agency": agency,
        "occupation": job_at_home,
        "passport": lambda text: findings(*validators.check_passport(text, label=label)),
        "bpjs": lambda text: findings(*validators.check_bpjs(text, label=label)),
    }
    check = checks.get(kind, free)
    numeric = kind in {"nik", "kk", "village", "phone"}

    def date_rule(raw: object) -> Verdict:
        value, error = parse_date(raw)
        if error:
            if isinstance(raw, str) and placeholder(raw.strip()):
                return None, _NO_PROBLEMS
            return None, ((error, ERROR),)
        if value is not None and column.key in NOT_IN_FUTURE and value > lookups.today:
            return refused(_("%(label)s cannot be in the future.") % {"label": label}, None)
        return value, _NO_PROBLEMS

    def rule(raw: object) -> Verdict:
        if isinstance(raw, str) and UNREADABLE in raw:
            return (None if kind == "date" else ""), _unreadable(label)
        if kind == "date":
            return date_rule(raw)
        text = number_text(raw) if numeric else _text(raw)
        if text == "":
            return required_or_empty()
        if column.max_length and len(text) > column.max_length:
            return refused(
                _("%(label)s is longer than %(max)s characters.") % {"label": label, "max": column.max_length}
            )
        verdict = check(text)
        if verdict[1] and placeholder(text):
            return required_or_empty()
        return verdict

    return rule


def _punctuation_only(text: str) -> bool:
    return not text.strip("-.?/_ ")


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.date):
        return raw.strftime("%d/%m/%Y")
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
        are empty, too long, short enough to be a placeholder, unreadable or not plain text
        go through the rule."""
        try:
            values = [raw.strip() for raw in raw_values]
        except AttributeError:  # numbers and dates from XLSX cells
            values = [_text(raw) for raw in raw_values]
            suspects: Any = range(len(values))
        else:
            limit = self.spec.max_length or 10**9
            blank_like = _punctuation_only if self.spec.key == "name" else is_placeholder
            suspects = {
                i
                for i, value in enumerate(values)
                if not value or len(value) > limit or (len(value) <= PLACEHOLDER_LONGEST and blank_like(value))
            }
            if self.spec.kind == "nik":  # "3212…0001.0" is a number a program wrote as a float
                suspects.update(i for i, value in enumerate(values) if "." in value)
            if UNREADABLE in "".join(values):
                suspects.update(i for i, value in enumerate(values) if UNREADABLE in value)
        problems = {}
        for i in suspects:
            values[i], found = self.rule(raw_values[i])
            if found:
                problems[i] = found
        return values, problems


UNIQUE_COLUMNS = {"nik", "name", "address", "employer_name"}


def _problem(column: str, value: object, message: str, severity: str = ERROR) -> dict[str, str]:
    return {"column": column, "value": "" if value is None else str(value), "message": message, "severity": severity}


def _chunks(rows: Iterator[tuple[int, list[object]]], width: int, size: int) -> Iterator[list[tuple[int, list]]]:
    while chunk := list(islice(rows, size)):
        for index, (number, cells) in enumerate(chunk):
            if len(cells) != width:
                chunk[index] = (number, [*cells[:width], *repeat("", width - len(cells))])
        yield chunk


EXAMPLE = {column.key: column.example for column in COLUMNS}


def _without_example(
    rows: Iterator[tuple[int, list[object]]], positions: dict[str, int], notes: list[str]
) -> Iterator[tuple[int, list[object]]]:
    """The rows without the template's example row (its NIK, No. KK and name), said in a note.
    Only the first rows are looked at, and the rest is chained on unwrapped: no Python step
    per row of a big file."""
    keys = ("nik", "kk_number", "name")
    if not all(key in positions for key in keys):
        return rows
    kept = []
    for number, cells in islice(rows, EXAMPLE_ROWS_CHECKED):
        if all(str(cells[positions[key]]).strip().lower() == EXAMPLE[key].lower() for key in keys):
            notes.append(_("Row %(row)s is the template's example row and was not imported.") % {"row": number})
        else:
            kept.append((number, cells))
    return chain(kept, rows)


class _Stager:
    def __init__(self, batch: ImportBatch, columns: dict[int, Column], lookups: _Lookups, village: str | None) -> None:
        self.batch = batch
        self.lookups = lookups
        self.columns = [_Column(position, column, lookups) for position, column in columns.items()]
        self.by_key = {c.spec.key: c for c in self.columns}
        self.village = village  # for a file without a village column
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
        if "village" not in values and self.village:
            values["village"] = [self.village] * size
        warnings = self._check_niks(values, raws, row_problems, size)
        has_migration = self._check_migration(values, row_problems, size)
        problems_json = ["[]"] * size
        is_valid = [True] * size
        for i, row_found in row_problems.items():
            problems_json[i] = json.dumps(row_found, ensure_ascii=False)
            is_valid[i] = not any(p["severity"] == ERROR for p in row_found)
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
        """The NIK with the birth date and sex the person will have: errors block the row,
        warnings are shown in the preview and the error file, and kept on the person."""
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
            if nik.startswith("0") and len(nik) == 16 and nik.isdigit():
                message = _(
                    "This is a temporary NIK (OpenSID gives one while the real NIK is not known): enter the "
                    "person's NIK from the family card."
                )
                row_problems.setdefault(i, []).append(_problem(header, raws["nik"][i], message))
                continue
            value, _facts, found = check(nik, birth_date=born, sex=sex, label=header, today=today)
            niks[i] = value
            if found:
                row_problems.setdefault(i, []).extend(
                    _problem(header, raws["nik"][i], f.message, f.severity) for f in found
                )
                stored = [f.as_json() for f in found if not f.is_error]
                if stored:
                    warnings[i] = json.dumps(stored)
        return warnings

    def _check_migration(self, values: dict, row_problems: dict, size: int) -> list[bool]:
        """Which rows speak of a stay abroad, and the date order within the row (the merged
        stay is checked again in SQL, with the registered dates)."""
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
        if departures is not None and statuses is not None:
            # A row without a status takes the registered one: judged after the merge, in SQL.
            today = self.lookups.today
            for i, (departure, status) in enumerate(zip(departures, statuses, strict=True)):
                if departure is not None and departure > today and status and status != EpisodeStatus.PREPARING:
                    row_problems.setdefault(i, []).append(
                        _problem(HEADERS["departure_date"], departure.isoformat(), future_departure_message())
                    )
        return has_migration


def future_departure_message() -> str:
    return _("A departure in the future is a stay being prepared: set Status Migrasi to Persiapan.")


def default_village(batch: ImportBatch, lookups: _Lookups) -> str | None:
    """The village of rows when the file has no village column: the one chosen on upload, or
    the user's only village."""
    if batch.village_id:
        return batch.village_id if batch.village_id in lookups.villages else None
    return next(iter(lookups.villages)) if len(lookups.villages) == 1 else None


def import_stage(
    *,
    batch: ImportBatch,
    open_table: Callable[[], Table],
    user: AnyUser,
    progress: ReadingProgress | None = None,
    expected_rows: int | None = None,
    keep_cells: bool = True,
) -> StageResult:
    """Stage every row of the file for ``batch`` and judge it; store nothing in the register.
    ``open_table`` reads the file; with ``keep_cells``, again at the end for the cells of the
    rows with problems (the error file's), else that is left to ``cells_keep`` later. Runs
    outside a transaction on purpose: each chunk is committed as it is staged, so a page
    polling the batch sees the progress."""
    table = open_table()
    try:
        result = _stage(batch, table, user, progress, expected_rows)
    finally:
        table.close()
    if keep_cells and result.counts.get("problems"):
        cells_keep(batch, open_table)
    return result


def _stage(
    batch: ImportBatch,
    table: Table,
    user: AnyUser,
    progress: ReadingProgress | None,
    expected_rows: int | None,
) -> StageResult:
    result = StageResult(headers=list(table.headers))
    result.notes.extend(table.notes)
    matched = match_headers(table.headers)
    lookups = _Lookups(user)
    village = None
    missing = matched.missing
    if any(column.key == "village" for column in missing):
        village = default_village(batch, lookups)
        if village is not None:
            missing = [column for column in missing if column.key != "village"]
            result.notes.append(
                _("The file has no village column: every row is taken to be of %(village)s.")
                % {"village": Village.objects.get(pk=village)}
            )
    if missing:
        result.fatal.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(column.header for column in missing)}
        )
        if any(column.key == "village" for column in missing):
            result.fatal.append(_("Choose the village of the rows on the upload page, or add a Kode Desa column."))
        return result
    if matched.unknown:
        result.notes.append(
            _("These columns are not used and were ignored: %(columns)s.") % {"columns": ", ".join(matched.unknown)}
        )
    if matched.skipped:
        result.notes.extend(matched.skipped)
    ImportRow.objects.filter(batch=batch).delete()
    stager = _Stager(batch, matched.columns, lookups, village)
    positions = {column.key: position for position, column in matched.columns.items()}
    rows = _without_example(iter(table.rows), positions, result.notes)
    rows = matched.filter_rows(rows, result.notes)
    copy = (
        f"COPY {ROWS} ({', '.join(COPY_COLUMNS)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
    )
    # Small files in small chunks, so that the progress bar moves in steps.
    chunk_rows = min(CHUNK_ROWS, max(250, (expected_rows or CHUNK_ROWS * 8) // 8))

    def report(percent: int) -> None:
        if progress is not None:
            progress(min(99, percent))

    # PostgreSQL stores chunk n (psycopg2 lets go of the GIL while it waits) while Python
    # checks chunk n+1: the two cores work at once. The connection is used by one thread at a
    # time, so the chunks ask the register nothing: what needs it is judged afterwards, in SQL.
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1) as copier:
        pending: list[Future] = []

        def settle() -> None:
            while pending:
                pending.pop().result()

        for chunk in _chunks(rows, len(table.headers), chunk_rows):
            buffer = stager.stage(chunk)
            settle()
            if expected_rows:
                report((stager.rows - len(chunk)) * 75 // max(expected_rows, stager.rows))
            pending.append(copier.submit(cursor.cursor.copy_expert, copy, buffer))
        settle()
    report(75)
    result.rows = stager.rows
    if not result.rows:
        result.fatal.append(_("The file has a header row but no data rows."))
        return result
    with connection.cursor() as cursor:
        # The planner needs to know the table just grew by a whole file.
        cursor.execute(f"ANALYZE {ROWS} (batch_id, nik, kk_number, village, is_valid, relationship)")
        _undated_niks(batch, cursor, lookups.today)
    with transaction.atomic():
        judged = _Judge(batch, lookups, report)
        result.fatal.extend(judged.excel_damage())
        if result.fatal:
            return result
        result.counts, result.review = judged.run()
    report(99)
    return result


def _undated_niks(batch: ImportBatch, cursor: Any, today: datetime.date) -> None:
    """A row that leaves the date of birth blank keeps the registered one: its NIK is checked
    against that date too (the rows' own check had no date to compare)."""
    cursor.execute(
        f"""SELECT r.id, r.nik, r.sex, p.birth_date FROM {ROWS} r JOIN {PERSONS} p ON p.nik = r.nik
            WHERE r.batch_id = %s AND r.birth_date IS NULL AND p.birth_date IS NOT NULL""",
        [batch.pk],
    )
    header = HEADERS["nik"]
    for row_id, nik, sex, born in cursor.fetchall():
        found = [
            f
            for f in validators.check_nik(nik, birth_date=born, sex=sex, label=header, today=today)[2]
            if f.code == "nik_birth_date_differs"
        ]
        if found:
            problem = _problem(header, nik, found[0].message, WARNING)
            cursor.execute(
                f"""UPDATE {ROWS} SET problems = problems || %s::jsonb, warnings = warnings || %s::jsonb
                    WHERE id = %s""",
                [json.dumps([problem]), json.dumps([found[0].as_json()]), row_id],
            )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@transaction.atomic
def cells_keep(batch: ImportBatch, open_table: Callable[[], Table]) -> None:
    """The cells of the rows with problems as they were typed, for the error file: it can be
    made after the upload itself is gone (once written). One more read of the whole file, the
    cells going to PostgreSQL by COPY a block at a time, so memory stays flat."""
    numbers = set(
        ImportRow.objects.filter(batch=batch).exclude(problems=[]).values_list("number", flat=True).iterator()
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE import_cells (number integer, cells jsonb) ON COMMIT DROP")
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> None:
            buffer.seek(0)
            cursor.cursor.copy_expert("COPY import_cells FROM STDIN WITH (FORMAT csv)", buffer)
            buffer.seek(0)
            buffer.truncate()

        table = open_table()
        try:
            for number, cells in table.rows:
                if number in numbers:
                    writer.writerow([number, json.dumps([_cell_text(cell) for cell in cells], ensure_ascii=False)])
                    if buffer.tell() > 1 << 20:
                        flush()
        finally:
            table.close()
        flush()
        cursor.execute(
            f"""UPDATE {ROWS} r SET cells = c.cells FROM import_cells c
                WHERE r.batch_id = %s AND r.number = c.number""",
            [batch.pk],
        )


class _Judge:
    """The checks that need the whole file or the register, set-wise, in one transaction."""

    def __init__(self, batch: ImportBatch, lookups: _Lookups, report: ReadingProgress) -> None:
        self.batch = batch
        self.lookups = lookups
        self.report = report
        self.cursor = connection.cursor()
        matching.set_based_session(self.cursor)

    def flag(
        self,
        where: str,
        params: list[Any],
        column: str,
        value_sql: str,
        message: str,
        severity: str = ERROR,
        fill: tuple[tuple[str, str], ...] = (),
    ) -> int:
        """Add a problem to the rows ``where`` selects (over the staging rows `r`). ``fill`` =
        ((placeholder in the message, SQL for what replaces it row by row), ...)."""
        text = "%s"
        for _placeholder, replacement in fill:
            text = f"replace({text}, %s, {replacement})"
        self.cursor.execute(
            f"""
            UPDATE {ROWS} r
            SET problems = r.problems || jsonb_build_array(jsonb_build_object(
                    'column', %s, 'value', {value_sql}, 'message', {text}, 'severity', %s)),
                is_valid = r.is_valid AND %s
            {where}
            """,
            [column, message, *(placeholder for placeholder, _sql in fill), severity, severity != ERROR, *params],
        )
        return self.cursor.rowcount

    def excel_damage(self) -> list[str]:
        """NIK or No. KK columns that Excel rounded to 15 digits and saved (every number ends in
        0, families collapse into one): refused as a whole, with the way to get the digits back.
        Numbers that merely end in 0 are normal; a whole column of them is not."""
        refusals: list[str] = []
        self.cursor.execute(
            f"""SELECT count(*) FILTER (WHERE nik LIKE '%%0'), count(*) FILTER (WHERE nik <> ''),
                       count(*) FILTER (WHERE kk_number LIKE '%%0'), count(*) FILTER (WHERE kk_number <> '')
                FROM {ROWS} WHERE batch_id = %s""",
            [self.batch.pk],
        )
        nik_zeros, niks, kk_zeros, kks = self.cursor.fetchone()
        if nik_zeros < 0.4 * niks and kk_zeros < 0.4 * kks:
            return refusals  # the usual file: a tenth of numbers end in 0, as chance has it
        collapsed = {
            "nik": f"""SELECT count(*) FROM (SELECT nik FROM {ROWS}
                        WHERE batch_id = %(batch)s AND nik ~ '^[0-9]{{15}}0$'
                        GROUP BY nik HAVING count(*) > 1) repeated""",
            "kk_number": f"""SELECT count(*) FROM (SELECT kk_number FROM {ROWS}
                              WHERE batch_id = %(batch)s AND kk_number ~ '^[0-9]{{15}}0$' GROUP BY kk_number
                              HAVING count(*) FILTER (WHERE relationship = 'head') > 1
                                  OR count(DISTINCT nullif(address, '')) > 1) merged""",
        }
        for key, collapse_sql in collapsed.items():
            self.cursor.execute(
                f"""SELECT count(DISTINCT {key}) FILTER (WHERE {key} ~ '^[0-9]{{16}}$'),
                           count(DISTINCT {key}) FILTER (WHERE {key} ~ '^[0-9]{{15}}0$'),
                           ({collapse_sql})
                    FROM {ROWS} WHERE batch_id = %(batch)s""",
                {"batch": self.batch.pk},
            )
            numbers, zeros, collapses = self.cursor.fetchone()
            if (zeros >= 5 and zeros >= 0.9 * numbers) or (zeros >= 2 and zeros >= 0.5 * numbers and collapses):
                refusals.append(
                    _(
                        "The %(label)s column was damaged by Excel: %(zeros)s of its %(count)s numbers end in 0, "
                        "because Excel keeps only 15 digits of a number and replaced the 16th with 0, so that "
                        "different people or families now share one number. The lost digits cannot be read from "
                        "this file. Open the original data again with the column formatted as Text (in Excel: "
                        "Data → From Text/CSV, then set the column's type to Text), or export it again from its "
                        "source, and upload that file."
                    )
                    % {"label": HEADERS[key], "zeros": zeros, "count": numbers}
                )
        return refusals

    def run(self) -> tuple[dict[str, int], dict[str, Any]]:
        batch = {"batch": self.batch.pk}
        counts: dict[str, int] = {}
        counts["duplicates_in_file"] = self.duplicates()
        self.report(78)
        self.one_village_per_kk()
        self.outside_area()
        self.report(81)
        self.heads()
        self.former_kk()
        disagreements = self.disagreements()
        self.report(85)
        counts["possible_duplicates"] = self.possible_duplicates()
        held = self.held_back()
        self.report(88)
        today = self.lookups.today
        classified = matching.classify(batch=self.batch, cursor=self.cursor, today=today)
        if self.stays(today):
            # Rows left the write (and with a head's row, its household): judged again.
            held += self.held_back()
            classified = matching.classify(batch=self.batch, cursor=self.cursor, today=today)
        self.report(93)
        changes = review.changes_summary(cursor=self.cursor)
        review.seen_record(cursor=self.cursor, batch=self.batch)
        self.report(97)
        self.cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE NOT is_valid), coalesce(sum(jsonb_array_length(problems)), 0),
                       count(*) FILTER (WHERE problems @> '[{{"severity": "warning"}}]')
                FROM {ROWS} WHERE batch_id = %(batch)s""",
            batch,
        )
        total, invalid, problems, warned = self.cursor.fetchone()
        counts.update(rows=total, rows_invalid=invalid, problems=problems, rows_warned=warned, rows_held_back=held)
        counts.update(classified)
        counts["values_removed"] = changes["removed"]
        kept = {key: value for key, value in counts.items() if value or key in {"rows", "problems", "values_removed"}}
        return kept, {"changes": changes, "disagreements": disagreements}

    def duplicates(self) -> int:
        self.cursor.execute("DROP TABLE IF EXISTS import_duplicate")
        self.cursor.execute(
            f"""
            CREATE TEMPORARY TABLE import_duplicate ON COMMIT DROP AS
            SELECT nik, string_agg(number::text, ', ' ORDER BY number) AS numbers
            FROM {ROWS} WHERE batch_id = %s AND nik IN (
                SELECT nik FROM {ROWS} WHERE batch_id = %s AND nik <> '' GROUP BY nik HAVING count(*) > 1)
            GROUP BY nik
            """,
            [self.batch.pk, self.batch.pk],
        )
        found = self.cursor.rowcount
        if found:
            self.flag(
                "FROM import_duplicate d WHERE r.batch_id = %s AND r.nik = d.nik",
                [self.batch.pk],
                HEADERS["nik"],
                "r.nik",
                _("The same NIK appears in rows %(rows)s.") % {"rows": "{rows}"},
                fill=(("{rows}", "d.numbers"),),
            )
        return found

    def one_village_per_kk(self) -> None:
        self.flag(
            f"""FROM (SELECT kk_number FROM {ROWS} WHERE batch_id = %s AND kk_number <> '' AND village <> ''
                      GROUP BY kk_number HAVING min(village) <> max(village)) mixed
                WHERE r.batch_id = %s AND r.kk_number = mixed.kk_number""",
            [self.batch.pk, self.batch.pk],
            HEADERS["village"],
            "r.village",
            _("Rows with No. KK %(kk)s name different villages.") % {"kk": "{kk}"},
            fill=(("{kk}", "r.kk_number"),),
        )

    def outside_area(self) -> None:
        """A NIK or KK registered outside the user's area: refused without saying where."""
        scope = self.lookups.scope
        if scope.is_unlimited:
            return
        batch = self.batch.pk
        for key, sql, message in (
            (
                "nik",
                f"""SELECT DISTINCT h.village_id FROM {ROWS} r
                    JOIN {PERSONS} p ON p.nik = r.nik
                    JOIN {HOUSEHOLDS} h ON h.id = p.household_id WHERE r.batch_id = %s""",
                _("This NIK cannot be imported here. If it is correct, ask your regency coordinator."),
            ),
            (
                "kk_number",
                f"""SELECT DISTINCT h.village_id FROM {ROWS} r
                    JOIN {HOUSEHOLDS} h ON h.kk_number = r.kk_number WHERE r.batch_id = %s
                    UNION SELECT DISTINCT h.village_id FROM {ROWS} r
                    JOIN {KK_NUMBERS} k ON k.number = r.kk_number
                    JOIN {HOUSEHOLDS} h ON h.id = k.household_id WHERE r.batch_id = %s""",
                _("This No. KK cannot be imported here. If it is correct, ask your regency coordinator."),
            ),
        ):
            self.cursor.execute(sql, [batch] * sql.count("%s"))
            outside = [code for (code,) in self.cursor.fetchall() if not scope.contains(code)]
            if key == "nik" and self.nik_limit_reached(outside):
                continue
            if not outside:
                continue
            if key == "nik":
                where = f"""FROM {PERSONS} p JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                           WHERE r.batch_id = %s AND p.nik = r.nik AND h.village_id = ANY(%s)"""
                params: list[Any] = [batch, outside]
            else:
                where = f"""WHERE r.batch_id = %s AND (
                    EXISTS (SELECT 1 FROM {HOUSEHOLDS} h
                            WHERE h.kk_number = r.kk_number AND h.village_id = ANY(%s))
                    OR EXISTS (SELECT 1 FROM {KK_NUMBERS} k JOIN {HOUSEHOLDS} h
                               ON h.id = k.household_id WHERE k.number = r.kk_number AND h.village_id = ANY(%s)))"""
                params = [batch, outside, outside]
            self.flag(where, params, HEADERS[key], f"r.{key}", message)

    def nik_limit_reached(self, outside: list[str]) -> bool:
        """Telling which rows' NIKs are registered outside the user's area (in the villages
        ``outside``) is logged and bounded per user (desmigratif.services.nik_elsewhere_allowance).
        A file with more such NIKs than the user may still be told about learns none of them:
        every row whose NIK is not registered inside the area is refused with the limit's
        message instead."""
        user = self.batch.user
        hits = 0
        if outside:
            self.cursor.execute(
                f"""SELECT count(DISTINCT r.nik) FROM {ROWS} r
                    JOIN {PERSONS} p ON p.nik = r.nik JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                    WHERE r.batch_id = %s AND h.village_id = ANY(%s)""",
                [self.batch.pk, outside],
            )
            hits = self.cursor.fetchone()[0]
        allowance = nik_elsewhere_allowance(user=user)
        if allowance and hits <= allowance:
            nik_elsewhere_record(user=user, hits=hits, where=f"import batch {self.batch.pk}")
            return False
        nik_elsewhere_record(user=user, hits=allowance, where=f"import batch {self.batch.pk} (over the limit)")
        self.flag(
            f"""WHERE r.batch_id = %s AND r.nik <> '' AND NOT EXISTS (
                    SELECT 1 FROM {PERSONS} p JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                    WHERE p.nik = r.nik AND h.village_id = ANY(%s))""",
            [self.batch.pk, sorted(self.lookups.villages)],
            HEADERS["nik"],
            "r.nik",
            nik_limit_message(),
        )
        return True

    def heads(self) -> None:
        """One head of family per household in the file; a household that is not registered
        yet comes with its head, whose row gives the household its address."""
        self.flag(
            f"""FROM (SELECT kk_number, string_agg(number::text, ', ' ORDER BY number) AS numbers FROM {ROWS}
                      WHERE batch_id = %s AND kk_number <> '' AND relationship = 'head'
                      GROUP BY kk_number HAVING count(*) > 1) several
                WHERE r.batch_id = %s AND r.kk_number = several.kk_number AND r.relationship = 'head'""",
            [self.batch.pk, self.batch.pk],
            HEADERS["relationship"],
            "r.relationship",
            _("No. KK %(kk)s has more than one head of family in this file (rows %(rows)s).")
            % {"kk": "{kk}", "rows": "{rows}"},
            fill=(("{kk}", "r.kk_number"), ("{rows}", "several.numbers")),
        )
        self.flag(
            f"""WHERE r.batch_id = %s AND r.kk_number IN (
                    SELECT kk_number FROM {ROWS} WHERE batch_id = %s AND kk_number <> ''
                    GROUP BY kk_number HAVING NOT bool_or(relationship = 'head'))
                AND NOT EXISTS (SELECT 1 FROM {HOUSEHOLDS} x WHERE x.kk_number = r.kk_number)
                AND NOT EXISTS (SELECT 1 FROM {KK_NUMBERS} k WHERE k.number = r.kk_number)""",
            [self.batch.pk, self.batch.pk],
            HEADERS["relationship"],
            "r.relationship",
            _(
                "No. KK %(kk)s is not registered yet and the file has no head of family for it: add the head's "
                "row (Hubungan Keluarga: Kepala Keluarga)."
            )
            % {"kk": "{kk}"},
            fill=(("{kk}", "r.kk_number"),),
        )

    def former_kk(self) -> None:
        self.flag(
            f"""FROM {KK_NUMBERS} k JOIN {HOUSEHOLDS} h ON h.id = k.household_id
                WHERE r.batch_id = %s AND k.number = r.kk_number AND h.kk_number <> r.kk_number
                  AND NOT EXISTS (SELECT 1 FROM {HOUSEHOLDS} x WHERE x.kk_number = r.kk_number)""",
            [self.batch.pk],
            HEADERS["kk_number"],
            "r.kk_number",
            _(
                "This is a former No. KK of the household; the household is updated and keeps its current "
                "No. KK %(current)s."
            )
            % {"current": "{current}"},
            WARNING,
            fill=(("{current}", "h.kk_number"),),
        )

    def disagreements(self) -> dict[str, Any]:
        """Rows of one household that give different addresses (dusun, RT, RW, phone): the
        head's row is used, the others are pointed out, per household."""
        gathered = ", ".join(f"{matching._first_filled(column)} AS {column}" for column in HOUSEHOLD_TEXT)
        self.cursor.execute("DROP TABLE IF EXISTS import_used")
        # Households whose rows disagree first (min and max of the filled values differ: one
        # hashed pass over the file), then what each of those few uses.
        self.cursor.execute(
            f"""CREATE TEMPORARY TABLE import_used ON COMMIT DROP AS
                SELECT r.kk_number, {gathered},
                       (array_agg(r.number ORDER BY r.relationship = 'head' DESC, r.number))[1] AS head_row
                FROM {ROWS} r WHERE r.batch_id = %s AND r.kk_number IN (
                    SELECT kk_number FROM {ROWS} WHERE batch_id = %s AND kk_number <> '' GROUP BY kk_number
                    HAVING {" OR ".join(f"min(nullif({c}, '')) <> max(nullif({c}, ''))" for c in HOUSEHOLD_TEXT)})
                GROUP BY r.kk_number""",
            [self.batch.pk, self.batch.pk],
        )
        if not self.cursor.rowcount:
            return {"households": 0, "listed": []}
        listed: dict[str, dict[str, Any]] = {}
        for column in HOUSEHOLD_TEXT:
            header = HEADERS[column]
            self.flag(
                f"""FROM import_used u WHERE r.batch_id = %s AND r.kk_number = u.kk_number
                    AND r.{column} <> '' AND r.{column} <> u.{column}""",
                [self.batch.pk],
                header,
                f"r.{column}",
                _("Differs from the head of family's row (row %(row)s) of this No. KK, whose value is used.")
                % {"row": "{row}"},
                WARNING,
                fill=(("{row}", "u.head_row::text"),),
            )
            self.cursor.execute(
                f"""SELECT u.kk_number, u.{column}, r.{column}, string_agg(r.number::text, ', ' ORDER BY r.number)
                    FROM import_used u JOIN {ROWS} r ON r.batch_id = %s AND r.kk_number = u.kk_number
                    WHERE r.{column} <> '' AND u.kk_number IN (
                        SELECT kk_number FROM import_used ORDER BY kk_number LIMIT 100)
                    GROUP BY u.kk_number, u.{column}, r.{column} ORDER BY u.kk_number, min(r.number)""",
                [self.batch.pk],
            )
            for kk, used, value, rows in self.cursor.fetchall():
                entry = listed.setdefault(kk, {"kk": kk, "fields": {}})
                field_entry = entry["fields"].setdefault(header, {"used": used, "values": []})
                field_entry["values"].append([value, rows])
        for entry in listed.values():
            entry["fields"] = {header: value for header, value in entry["fields"].items() if len(value["values"]) > 1}
        self.cursor.execute("SELECT count(*) FROM import_used")
        return {"households": self.cursor.fetchone()[0], "listed": [e for e in listed.values() if e["fields"]]}

    def possible_duplicates(self) -> int:
        """A new NIK whose name and birth date are already registered in the same village."""
        return self.flag(
            f"""WHERE r.batch_id = %s AND r.is_valid AND r.birth_date IS NOT NULL AND r.nik <> ''
               AND NOT EXISTS (SELECT 1 FROM {PERSONS} p0 WHERE p0.nik = r.nik)
               AND EXISTS (SELECT 1 FROM {PERSONS} p JOIN {HOUSEHOLDS} h ON h.id = p.household_id
                           WHERE h.village_id = r.village AND p.birth_date = r.birth_date
                             AND lower(p.name) = lower(r.name))""",
            [self.batch.pk],
            HEADERS["nik"],
            "r.nik",
            _(
                "Possible duplicate: a person with this name and date of birth is already registered in "
                "this village with another NIK."
            ),
            WARNING,
        )

    def stays(self, today: datetime.date) -> int:
        """The stays abroad as they would be after the merge, against the rules of the form."""
        messages = {
            "second_open_stay": (
                HEADERS["status"],
                _(
                    "This person already has a stay that has not ended (departed %(date)s). Record its return "
                    "first, or give that stay's departure date to update it."
                ),
            ),
            "return_date_missing": (HEADERS["actual_return"], _("Enter the date the worker came back.")),
            "departure_in_future": (HEADERS["departure_date"], future_departure_message()),
            "return_before_departure": (
                HEADERS["actual_return"],
                _("%(label)s cannot be before the departure date.") % {"label": HEADERS["actual_return"]},
            ),
            "contract_before_departure": (
                HEADERS["contract_end"],
                _("%(label)s cannot be before the departure date.") % {"label": HEADERS["contract_end"]},
            ),
        }
        broken = matching.episode_rule_breaks(cursor=self.cursor, today=today)
        for number, code, params in broken:
            column, message = messages[code]
            self.flag(
                "WHERE r.batch_id = %s AND r.number = %s",
                [self.batch.pk, number],
                column,
                "''",
                message.replace("%(date)s", params["date"]),
            )
        return len(broken)

    def held_back(self) -> int:
        """A household whose head's row is refused is not written at all: never a household
        without its head, or with the address of another member's row."""
        return self.flag(
            f"""FROM (SELECT kk_number, string_agg(number::text, ', ' ORDER BY number) AS numbers FROM {ROWS}
                      WHERE batch_id = %s AND kk_number <> '' AND relationship = 'head' AND NOT is_valid
                      GROUP BY kk_number) refused
                WHERE r.batch_id = %s AND r.kk_number = refused.kk_number AND r.is_valid""",
            [self.batch.pk, self.batch.pk],
            HEADERS["kk_number"],
            "r.kk_number",
            _(
                "Held back: the row of the head of this family (row %(rows)s) has errors. The family is written "
                "once that row is fixed."
            )
            % {"rows": "{rows}"},
            fill=(("{rows}", "refused.numbers"),),
        )


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
