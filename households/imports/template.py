"""The downloadable import template and docs/import-format.md, both generated from
households.imports.columns so that they cannot drift from what the importer reads."""

from __future__ import annotations

import io

from django.utils import translation

from desmigratif.exports import csv_write, safe_row
from households.countries import ALIASES, country_name
from households.imports.columns import (
    COLUMNS,
    HOUSEHOLD,
    JOB_SPELLINGS,
    MIGRATION,
    NOT_LIVING,
    OPENSID_OCCUPATIONS,
    PERSON,
)
from households.models import Job

LEVEL_TITLES = {HOUSEHOLD: "Household columns", PERSON: "Person columns", MIGRATION: "Migration columns (optional)"}
TEXT_KINDS = {"nik", "kk", "phone", "village"}
TEXT_KEYS = {"rt", "rw", "bpjs_number"}


def template_csv() -> bytes:
    """Header and the example row, UTF-8 with a BOM and `;` so Excel in Indonesia opens it right.
    The importer recognises the example row and leaves it out."""
    buffer = io.StringIO()
    csv_write(buffer, [[column.header for column in COLUMNS], [column.example for column in COLUMNS]], delimiter=";")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """Sheet "Data": headers and the example row (grey, and left out by the importer), identifier
    columns formatted as text (so Excel keeps all 16 digits). Sheet "Kode": every code list."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "Data"
    data.append([column.header for column in COLUMNS])
    data.append([column.example for column in COLUMNS])
    example = Font(italic=True, color="808080")
    for index, column in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        data.cell(row=2, column=index).font = example
        if column.kind in TEXT_KINDS or column.key in TEXT_KEYS:
            letter = cell.column_letter
            for row in range(2, 2001):
                data[f"{letter}{row}"].number_format = "@"
        data.column_dimensions[cell.column_letter].width = max(12, len(column.header) + 2)
    data["A2"].comment = Comment("Baris contoh: tidak diimpor. Tulis data mulai baris 3, atau hapus baris ini.", "")
    codes = workbook.create_sheet("Kode")
    codes.append(["Kolom", "Kode", "Arti"])
    with translation.override("id"):
        for column in COLUMNS:
            for code, label in column.choices:
                codes.append(safe_row([column.header, code, str(label)]))
        for job in Job.objects.active().order_by("name"):
            codes.append(safe_row(["Jabatan", job.code, job.name]))  # names are kept by administrators
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


INTRODUCTION = """\
# Household import format

Generated from `households/imports/columns.py` by `manage.py import_format_doc`; a test fails when
this file and the specification disagree. The import page offers the same columns as a CSV or XLSX
template, with an example row (which the importer recognises and leaves out, with a note) and the
code lists on a second sheet.

One row per person. Rows with the same No. KK form one household. Headers may be in Indonesian or
English, in any order, in any case, with or without spaces and punctuation; OpenSID's column names
are understood too (below). Unknown columns are reported and ignored.

## Updating what is registered

A file updates the register; it never erases it.

- **A blank cell, or a column the file does not have, leaves the registered value as it is.** A
  file with only the six required columns adds a newborn without touching anyone's address,
  phone, birth date, religion, education, occupation or marital status. Clearing a value is done
  in the forms, not by import.
- **What villages type for "none" counts as blank**: cells of punctuation only (`-`, `--`, `.`,
  `?`), `n/a`, `na`, `nil`, `null`, `none`, `kosong`, `tidak ada`, `tdk ada`, `belum ada`,
  `tidak punya`, `belum punya`; in the phone column also `0`, `00000`. (`tidak` alone is not a
  placeholder: in the Prosedural column it means "no".) In the name column only punctuation counts.
- **A person is found by NIK** and moves to the household of the row.
- **A household is found by its No. KK**, else by a former No. KK of it; found by a former number
  it is updated and **keeps its current number**, with a warning (an old spreadsheet is not a
  reason to go back to an old family card; docs/decisions.md).
- **Household columns come from the head of family's row**, whatever the order of the rows; where
  the head's row leaves one blank, from the first row of the household that fills it. When rows of
  one No. KK give different addresses, dusun, RT, RW or phones, the preview lists them per
  household and marks the other rows with a warning.
- **One head per household.** Two head rows under one No. KK are refused; a No. KK that is not
  registered yet must come with its head's row.
- **"Valid rows only" never writes half a household**: when the head's row has errors, every row
  of that household is held back (and listed), so no household is written without its head or
  with another member's address.
- **A stay abroad is found by its departure date**; a row without one is the person's open stay
  (being prepared or abroad), so a status list without dates updates the stay that is open instead
  of adding a second. **A person has at most one open stay**: a database constraint, the forms and
  the import all refuse a second. A new stay without a status is `returned` if it has a return
  date, `abroad` if it has a departure date that has passed, `preparing` otherwise. A departure
  in the future is allowed only for a stay being prepared (Persiapan).
- **The preview shows what will change, field by field**: per field the number of records whose
  value changes, with three before/after examples, and apart from it the number of registered
  values that would be removed (zero under these rules). NIK warnings (birth date, sex, region) are
  in the preview and the error file.
- **Confirming re-checks the register.** If a record the preview matched was changed, registered or
  deleted since (another user's edit), nothing is written and the message names the records;
  "Check again" makes a new preview against the register as it is.

## Reading the file

- CSV: UTF-8 with or without BOM, UTF-16 with a BOM (Excel's "Unicode Text"), else Windows-1252.
  A UTF-8 file with a few damaged bytes stays UTF-8: the damaged cells are refused with a message,
  not the whole file read as Windows-1252. `,`, `;` or tab between columns; Excel's `sep=;` first
  line is understood and skipped.
- XLSX: the visible sheet whose header names most import columns (instruction and code-list sheets
  are passed over, and the sheet used is named); a wrong stored used range is ignored. `.ods`
  and old `.xls` files are refused with what to do: save as `.xlsx`.
- The header is the row naming most import columns among the first 20 rows: title rows above it
  are skipped.
- Row numbers in messages are the spreadsheet's: a cell with line breaks is one row.

## Excel damage

Identifier columns should be formatted as Text in Excel. A number cell keeps only 15 significant
digits: a NIK becomes `3.21216E+15` (refused per cell, with the fix), or, saved as CSV, ends in
`0`. When a NIK or No. KK column as a whole has been rounded so (almost every number ends in 0, or
half of them do and different people or families now share one number), the column is refused
with the way to get the digits back. Exact 16-digit numbers that merely end in 0 are accepted.

## Dates

`DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`, `YYYY-MM-DD`, and `17 Agustus 1990`, `17 Agu 1990`,
`17-Aug-1990`, `August 17, 1990` with Indonesian or English month names (also the old spellings
`Pebruari`, `Nopember`). A time that programs append (`00:00:00`) is ignored. **Day first,
always**: `12/09/1976` is 12 September 1976. A two-digit year is refused (write the year in full).
A bare number is never a date in a CSV (`1989` is refused, with a request for the full date);
Excel's date serials are accepted only from date or number cells of an XLSX file.

## The error file

The preview offers the rows with problems as XLSX (every cell stored as text, so NIKs, phones and
RTs keep their digits and no cell is taken for a formula) or CSV (UTF-8 with BOM, `;`). They have
the file's own columns, then "Baris di berkas yang diperiksa", "Kesalahan" and "Peringatan". Fix the
rows in Excel and upload the file again: those three columns are recognised and passed over.
The rows are kept for the error file for `IMPORT_ERROR_FILE_DAYS` (30) days after the batch is
written; a batch not written within `IMPORT_UNCONFIRMED_DAYS` (7) days loses its file and rows.
"""


def format_document() -> str:
    """docs/import-format.md (English, for developers and trainers)."""
    lines = [INTRODUCTION]
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
                    rules.append(
                        "codes: "
                        + ", ".join(f"`{code}` ({label})" for code, label in column.choices)
                        + "; the label in Indonesian or English"
                    )
                if column.spellings:
                    rules.append(
                        "also: " + ", ".join(f"`{spelling}`→`{code}`" for spelling, code in column.spellings.items())
                    )
                if column.kind == "job":
                    rules.append(
                        "the code or name of a job of the editable job list (admin); also: "
                        + ", ".join(f"`{spelling}`→`{code}`" for spelling, code in JOB_SPELLINGS.items())
                    )
                if column.kind == "agency":
                    rules.append(
                        "the P3MI's licence number or name, from the editable agency list "
                        "(`PT`, `PT.` before or after the name does not matter)"
                    )
                aliases = ", ".join(f"`{alias}`" for alias in column.aliases) or "—"
                lines.append(
                    f"| `{column.header}` | {aliases} | {'yes' if column.required else ''} | {'; '.join(rules)} |"
                )
            lines.append("")
        lines += [
            "## Destination countries",
            "",
            "The ISO 3166 code, or the country's name in English or Indonesian as `pycountry` has it",
            "(`Arab Saudi`, `Uni Emirat Arab`, `Korea Selatan`, `Hongkong` …), or one of these names that",
            "villages use:",
            "",
            ", ".join(f"`{alias}`→{code} ({country_name(code)})" for alias, code in sorted(ALIASES.items())),
            "",
        ]
    lines += [
        "## OpenSID population exports",
        "",
        "A population export of OpenSID (Kependudukan > Penduduk > Impor / Ekspor > *Ekspor Penduduk*",
        "or *Ekspor Penduduk Huruf*, `penduduk_DD_MM_YYYY.xlsx`) is read as it comes out of OpenSID. The",
        "mapping follows OpenSID's own source, v22.11 to v2410.1.0 (github.com/OpenSID/OpenSID, branch",
        "`dev` at 274c5c1): the header is `Impor_model::$daftar_kolom` (`donjo-app/models/Impor_model.php`),",
        "the codes are the reference tables seeded by `donjo-app/models/seeders/Data_awal_seeder.php`.",
        "",
        "- Columns: `no_kk`, `nik`, `nama`, `sex`, `tempatlahir`, `tanggallahir`, `kk_level`, `agama_id`,",
        "  `pendidikan_kk_id`, `pekerjaan_id`, `status_kawin`, `alamat`, `dusun`, `rt`, `rw` (and the",
        "  readable headers of older exports: `Nomor KK`, `Nomor NIK`, `Hub. Keluarga`, `Pendidikan (dlm KK)`,",
        "  `Kawin` …). Its other columns (parents, documents, blood group, insurance, coordinates …) are",
        "  passed over with one note.",
        "- Codes: the numeric ids of the plain export and the labels of the *Huruf* export are both",
        "  accepted (the `also` lists above: sex 1-2, agama 1-7, pendidikan_kk 1-10, status_kawin 1-4,",
        "  kk_level 1-11); `pekerjaan_id` 1-89 is stored as OpenSID's occupation name.",
        "- The export has no village column: the rows are of the village chosen on the upload page,",
        "  or of the officer's only village.",
        "- `status_dasar`: rows of people who died, moved or are missing (codes "
        + ", ".join(f"`{code}`" for code in sorted(NOT_LIVING))
        + ") are left out, with a note saying how many.",
        "- A temporary NIK (16 digits starting with 0, which OpenSID gives while the real one is not",
        "  known) is refused with a request for the NIK on the family card; `-` in RT/RW counts as blank.",
        "",
        "OpenSID's occupations, by id: "
        + ", ".join(f"{number} {name}" for number, name in enumerate(OPENSID_OCCUPATIONS, start=1))
        + ".",
        "",
        "## Identifier rules",
        "",
        "NIK and No. KK follow the rules in `households/validators.py` (the same as the forms): errors",
        "block the row (not 16 digits, unknown province, impossible date, serial 0000, Excel damage);",
        "warnings are shown in the preview and the error file, and stored (regency or district not in",
        "today's list, NIK birth date or sex different from the row's or, when the row leaves the date",
        "blank, from the registered one).",
        "",
    ]
    return "\n".join(lines)
