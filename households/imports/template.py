"""The downloadable import template and docs/import-format.md, both generated from
households.imports.columns so that they cannot drift from what the importer reads."""

from __future__ import annotations

import csv
import io

from django.utils import translation

from households.imports.columns import COLUMNS, HOUSEHOLD, MIGRATION, PERSON
from households.models import Job

LEVEL_TITLES = {HOUSEHOLD: "Household columns", PERSON: "Person columns", MIGRATION: "Migration columns (optional)"}


def template_csv() -> bytes:
    """Header and one example row, UTF-8 with a BOM and `;` so Excel in Indonesia opens it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.header for column in COLUMNS])
    writer.writerow([column.example for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """Sheet "Data": headers and an example row, identifier columns formatted as text (so
    Excel keeps all 16 digits). Sheet "Kode": every code list."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "Data"
    data.append([column.header for column in COLUMNS])
    data.append([column.example for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if column.kind in {"nik", "kk", "phone", "village"} or column.key in {"rt", "rw", "bpjs_number"}:
            letter = cell.column_letter
            for row in range(2, 2001):
                data[f"{letter}{row}"].number_format = "@"
        data.column_dimensions[cell.column_letter].width = max(12, len(column.header) + 2)
    codes = workbook.create_sheet("Kode")
    codes.append(["Kolom", "Kode", "Arti"])
    with translation.override("id"):
        for column in COLUMNS:
            for code, label in column.choices:
                codes.append([column.header, code, str(label)])
        for job in Job.objects.active().order_by("name"):
            codes.append(["Jabatan", job.code, job.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def format_document() -> str:
    """docs/import-format.md (English, for developers and trainers)."""
    lines = [
        "# Household import format",
        "",
        "Generated from `households/imports/columns.py` by `manage.py import_format_doc`; a test fails when",
        "this file and the specification disagree. The import page offers the same columns as a CSV or XLSX",
        "template (with an example row, and the code lists on a second sheet).",
        "",
        "One row per person. Rows with the same No. KK form one household; its household columns are",
        "taken from the first row. Headers may be in Indonesian or English, in any order, in any case,",
        "with or without spaces and punctuation. Unknown columns are reported and ignored.",
        "",
        "CSV: UTF-8 (with or without BOM) or Windows-1252; `,`, `;` or tab between columns (detected).",
        "XLSX: the first sheet. Identifier columns should be formatted as Text in Excel: a number",
        "column keeps only 15 digits and turns NIKs into `3.21216E+15`, which the importer refuses",
        'with the fix ("NIK rusak oleh Excel").',
        "",
        "Dates: `DD/MM/YYYY`, `YYYY-MM-DD` or an Excel date. Code lists accept the code, the label in",
        "either language, or the Indonesian short forms listed.",
        "",
    ]
    with translation.override("en"):
        for level in (HOUSEHOLD, PERSON, MIGRATION):
            lines += [
                f"## {LEVEL_TITLES[level]}",
                "",
                "| header | also accepted | required | rules |",
                "|---|---|---|---|",
            ]
            for column in (c for c in COLUMNS if c.level == level):
                rules = [str(column.help)] if column.help else []
                if column.max_length:
                    rules.append(f"at most {column.max_length} characters")
                if column.choices:
                    rules.append("codes: " + ", ".join(f"`{code}` ({label})" for code, label in column.choices))
                if column.extra_aliases:
                    rules.append(
                        "also: "
                        + ", ".join(f"`{alias}`→`{code}`" for alias, code in sorted(column.extra_aliases.items()))
                    )
                if column.kind == "job":
                    rules.append("a code of the editable job list (admin), e.g. `domestic-worker`")
                if column.kind == "agency":
                    rules.append("the P3MI's licence number or exact name, from the editable agency list")
                aliases = ", ".join(f"`{alias}`" for alias in column.aliases) or "—"
                lines.append(
                    f"| `{column.header}` | {aliases} | {'yes' if column.required else ''} | {'; '.join(rules)} |"
                )
            lines.append("")
    lines += [
        "## Identifier rules",
        "",
        "NIK and No. KK follow the rules in `households/validators.py` (the same as the forms): errors",
        "block the row (not 16 digits, unknown province, impossible date, serial 0000, Excel damage);",
        "warnings are stored and shown (regency or district not in today's list, NIK birth date or sex",
        "different from the row's).",
        "",
    ]
    return "\n".join(lines)
