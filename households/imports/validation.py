"""Checking every row of an import file at once (issue 4, "stage and validate").

`analyse` reads a Table, applies the same rules as the forms (households.validators),
the user's write scope and the consistency rules of the file itself, and returns every
problem (row, column, value, message) plus what a commit would do: households and
persons to create, to update, unchanged, invalid, and possible duplicates. It writes
nothing; staging, the preview page and the commit build on it.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.access import Action, AnyUser, scope_for
from desmigratif.models import Village
from households import validators
from households.countries import country_code
from households.imports.columns import COLUMNS, HOUSEHOLD, MIGRATION, PERSON, Column, match_headers
from households.imports.reading import Table
from households.imports.values import header_key, number_text, parse_choice, parse_date
from households.models import Household, Job, KKNumber, Person, PlacementAgency

ERROR, WARNING = validators.ERROR, validators.WARNING
HEADERS = {column.key: column.header for column in COLUMNS}
_VILLAGE_DIGITS = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str
    severity: str = ERROR


@dataclass
class ParsedRow:
    number: int
    cells: list[object]
    household: dict[str, Any] = field(default_factory=dict)
    person: dict[str, Any] = field(default_factory=dict)
    migration: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


@dataclass
class Analysis:
    headers: list[str]
    rows: list[ParsedRow] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)  # the whole file is refused
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.is_valid]


class _Lookups:
    """Everything the rows are checked against, fetched once per file."""

    def __init__(self, user: AnyUser) -> None:
        self.scope = scope_for(user, Action.WRITE)
        self.villages = set(self.scope.filter(Village.objects.active(), "code").values_list("code", flat=True))
        self.jobs = {job.code: job.pk for job in Job.objects.active()}
        self.agencies: dict[str, int] = {}
        for agency in PlacementAgency.objects.active():
            self.agencies[header_key(agency.name)] = agency.pk
            if agency.licence_number:
                self.agencies[header_key(agency.licence_number)] = agency.pk


def _village_code(raw: str) -> str:
    match = _VILLAGE_DIGITS.match(raw.strip())
    return ".".join(match.groups()) if match else raw.strip()


def _parse_cell(column: Column, raw: object, row: ParsedRow, lookups: _Lookups) -> Any:
    """The value for the record, or None after recording a problem."""
    text = (
        number_text(raw)
        if column.kind in {"nik", "kk", "village", "phone"}
        else (raw if isinstance(raw, datetime.date) else str(raw if raw is not None else "").strip())
    )

    def problem(message: str, severity: str = ERROR) -> None:
        row.problems.append(Problem(row.number, column.header, str(raw if raw is not None else ""), message, severity))

    if column.kind != "date" and text == "":
        if column.required:
            problem(_("%(label)s is required.") % {"label": column.header})
        return None
    if column.kind == "kk":
        value, findings = validators.check_kk(text, label=column.header)
        for finding in findings:
            problem(finding.message, finding.severity)
        return value
    if column.kind == "village":
        code = _village_code(str(text))
        if code not in lookups.villages:
            problem(_("Village %(code)s is not in your area (or does not exist).") % {"code": code})
            return None
        return code
    if column.kind == "phone":
        value, findings = validators.check_phone(text, label=column.header)
        for finding in findings:
            problem(finding.message, finding.severity)
        return value
    if column.kind == "date":
        value, error = parse_date(raw)
        if error:
            problem(error)
            return None
        if value is not None and value > timezone.localdate():
            problem(_("%(label)s cannot be in the future.") % {"label": column.header})
            return None
        return value
    if column.kind == "choice":
        value, error = parse_choice(text, list(column.choices), column.extra_aliases)
        if error:
            problem(error)
            return None
        return value
    if column.kind == "country":
        code = country_code(str(text))
        if not code:
            problem(_("“%(value)s” is not a country.") % {"value": text})
        return code
    if column.kind == "job":
        pk = lookups.jobs.get(str(text).strip().lower())
        if pk is None:
            problem(_("“%(value)s” is not in the job list.") % {"value": text})
        return pk
    if column.kind == "agency":
        pk = lookups.agencies.get(header_key(str(text)))
        if pk is None:
            problem(_("“%(value)s” is not in the P3MI list.") % {"value": text})
        return pk
    if column.kind == "nik":
        return str(text)  # judged with the birth date and sex in _check_person
    if column.max_length and len(str(text)) > column.max_length:
        problem(_("%(label)s is longer than %(max)s characters.") % {"label": column.header, "max": column.max_length})
        return None
    return text


def _check_person(row: ParsedRow, nik_header: str) -> None:
    raw = row.person.get("nik")
    if raw is None:
        return
    value, _facts, findings = validators.check_nik(
        raw, birth_date=row.person.get("birth_date"), sex=row.person.get("sex"), label=nik_header
    )
    row.person["nik"] = value
    for finding in findings:
        if finding.is_error:
            row.problems.append(Problem(row.number, nik_header, str(raw), finding.message))
        else:
            row.warnings.append(finding.as_json())


def _check_migration(row: ParsedRow) -> None:
    migration = row.migration
    departure = migration.get("departure_date")
    for key in ("contract_end", "actual_return"):
        value = migration.get(key)
        if value is not None and departure is not None and value < departure:
            row.problems.append(
                Problem(
                    row.number,
                    HEADERS[key],
                    value.isoformat(),
                    _("%(label)s cannot be before the departure date.") % {"label": HEADERS[key]},
                )
            )
    if migration.get("status") == "returned" and not migration.get("actual_return"):
        row.problems.append(
            Problem(row.number, HEADERS["actual_return"], "", _("Enter the date the worker came back."))
        )


def analyse(table: Table, *, user: AnyUser, progress: Callable[[int], None] | None = None) -> Analysis:
    analysis = Analysis(headers=table.headers)
    matched = match_headers(table.headers)
    if matched.missing:
        analysis.fatal.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(column.header for column in matched.missing)}
        )
        return analysis
    if matched.unknown:
        analysis.notes.append(
            _("These columns are not used and were ignored: %(columns)s.") % {"columns": ", ".join(matched.unknown)}
        )
    lookups = _Lookups(user)
    nik_header = next(c.header for c in matched.columns.values() if c.key == "nik")
    has_migration = any(c.level == MIGRATION for c in matched.columns.values())

    for number, cells in table.rows:
        row = ParsedRow(number=number, cells=list(cells))
        for position, column in matched.columns.items():
            raw = cells[position] if position < len(cells) else ""
            value = _parse_cell(column, raw, row, lookups)
            target = {HOUSEHOLD: row.household, PERSON: row.person, MIGRATION: row.migration}[column.level]
            if value not in (None, ""):
                target[column.key] = value
        _check_person(row, nik_header)
        if has_migration and row.migration:
            _check_migration(row)
        analysis.rows.append(row)
        if progress is not None and len(analysis.rows) % 1000 == 0:
            progress(len(analysis.rows))

    if not analysis.rows:
        analysis.fatal.append(_("The file has a header row but no data rows."))
        return analysis
    _check_file_consistency(analysis, nik_header)
    _compare_with_registry(analysis, lookups, nik_header)
    return analysis


def _check_file_consistency(analysis: Analysis, nik_header: str) -> None:
    by_nik: dict[str, list[ParsedRow]] = defaultdict(list)
    by_kk: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in analysis.rows:
        if row.person.get("nik"):
            by_nik[row.person["nik"]].append(row)
        if row.household.get("kk_number"):
            by_kk[row.household["kk_number"]].append(row)
    for nik, rows in by_nik.items():
        if len(rows) > 1:
            numbers = ", ".join(str(r.number) for r in rows)
            for row in rows:
                row.problems.append(
                    Problem(
                        row.number, nik_header, nik, _("The same NIK appears in rows %(rows)s.") % {"rows": numbers}
                    )
                )
            analysis.counts["duplicates_in_file"] += 1
    for kk, rows in by_kk.items():
        villages = {r.household.get("village") for r in rows if r.household.get("village")}
        if len(villages) > 1:
            for row in rows:
                row.problems.append(
                    Problem(
                        row.number,
                        HEADERS["village"],
                        str(row.household.get("village")),
                        _("Rows with No. KK %(kk)s name different villages.") % {"kk": kk},
                    )
                )


def _compare_with_registry(analysis: Analysis, lookups: _Lookups, nik_header: str) -> None:
    niks = {row.person["nik"] for row in analysis.rows if row.person.get("nik")}
    kks = {row.household["kk_number"] for row in analysis.rows if row.household.get("kk_number")}
    existing_people: dict[str, Person] = {}
    ordered = sorted(niks)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for person in Person.objects.filter(nik__in=chunk).select_related("household"):
            existing_people[person.nik] = person
    existing_households: dict[str, int] = dict(
        Household.objects.filter(kk_number__in=kks).values_list("kk_number", "pk")
    )
    for number, household_id in KKNumber.objects.filter(number__in=kks).values_list("number", "household_id"):
        existing_households.setdefault(number, household_id)

    households_seen: dict[str, str] = {}
    for row in analysis.rows:
        person = existing_people.get(row.person.get("nik", ""))
        if person is not None and not lookups.scope.contains(person.household.village_id):
            # Registered outside the user's area: refuse without saying where.
            row.problems.append(
                Problem(
                    row.number,
                    nik_header,
                    row.person["nik"],
                    _("This NIK cannot be imported here. If it is correct, ask your regency coordinator."),
                )
            )
        if not row.is_valid:
            analysis.counts["rows_invalid"] += 1
            continue
        analysis.counts["persons_update" if person is not None else "persons_create"] += 1
        kk = row.household.get("kk_number")
        if kk and kk not in households_seen:
            households_seen[kk] = "households_update" if kk in existing_households else "households_create"
            analysis.counts[households_seen[kk]] += 1
    # Possible duplicates: a new NIK whose name and birth date already exist in the same village.
    new_rows = [
        r
        for r in analysis.valid_rows
        if r.person.get("nik") not in existing_people and r.person.get("birth_date") and r.household.get("village")
    ]
    if new_rows:
        names = {r.person["name"].lower() for r in new_rows if r.person.get("name")}
        known = set(
            Person.objects.filter(
                name__in={r.person["name"] for r in new_rows if r.person.get("name")},
                household__village_id__in={r.household["village"] for r in new_rows},
            ).values_list("name", "birth_date", "household__village_id")
        )
        known = {(name.lower(), born, village) for name, born, village in known if name.lower() in names}
        for row in new_rows:
            key = (row.person.get("name", "").lower(), row.person["birth_date"], row.household["village"])
            if key in known:
                row.problems.append(
                    Problem(
                        row.number,
                        nik_header,
                        row.person["nik"],
                        _(
                            "Possible duplicate: a person with this name and date of birth is already registered in "
                            "this village with another NIK."
                        ),
                        WARNING,
                    )
                )
                analysis.counts["possible_duplicates"] += 1
