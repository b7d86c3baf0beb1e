"""Uploads inside the bounds a register keeps (issue 14): a file of one endless line, a header
cell of 200,000 characters, 20,000 columns, a workbook claiming the whole sheet, a header at row
2,000 or a text table of 33 MB is refused with a message that says what to do, never a 500 and
never a stalled request; the web request only screens, the worker parses."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from desmigratif.uploads import MAX_COLUMNS, file_screen
from households.imports import batches
from households.imports.reading import ReadError, read_table
from households.models import ImportBatch, Person
from tests.admin_pages import preview
from tests.factories import AssignmentFactory, UserFactory
from tests.households.imports import HEADER_CELLS, rewrite_entry, workbook_bytes

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def register(*rows: list[str]) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode("utf-8-sig")


def claiming(reference: str) -> bytes:
    """A small, valid workbook whose sheet declares ``reference`` as its used range."""
    data = workbook_bytes(HEADER_CELLS, ["3212161503180007", "32.12.16.2004", "3212161204900001", "A", "L", "Anak"])
    return rewrite_entry(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:F2"', f'<dimension ref="{reference}"'.encode()),
    )


def with_shared_strings(megabytes: int) -> bytes:
    """A workbook whose text table unpacks to ``megabytes`` (random text: it packs only about
    twice, so the file passes the zip-bomb ratio)."""
    text = random.Random(14).randbytes(megabytes * 1024 * 1024 // 2).hex()
    table = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{text}</t></si></sst>'
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(HEADER_CELLS)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info, source.read(info))
        target.writestr("xl/sharedStrings.xml", table)
    return buffer.getvalue()


SCREENED = {
    "one-line.csv": (b"a;" * 1_500_000, "longer than 100.000"),
    "long-header-cell.csv": (register(["No. KK", "NIK", "x" * 200_000], ["1", "2", "3"]), "longer than 100.000"),
    "whole-sheet.xlsx": (claiming("A1:XFD1048576"), "16.384 columns"),
    "tall-sheet.xlsx": (claiming("A1:F1048576"), "1.048.576 rows"),
    "text-table.xlsx": (with_shared_strings(33), "more text than a household register"),
}


@pytest.mark.parametrize("name", sorted(SCREENED))
@override_settings(DEBUG=False, TASKS=IMMEDIATE)
def test_a_file_out_of_bounds_is_refused_on_the_upload_form(client, officer_a, name):
    data, message = SCREENED[name]
    client.force_login(officer_a)
    with translation.override("en"):
        response = client.post(
            reverse("households:import"), {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


PARSED = {
    "wide.csv": (
        register(["No. KK", "NIK", "Nama", *(f"c{n}" for n in range(1_000))], ["1", "2", "3"]),
        "1.003 columns",
    ),
    "far-cell.xlsx": (
        rewrite_entry(
            workbook_bytes(HEADER_CELLS),
            "xl/worksheets/sheet1.xml",
            lambda xml: xml.replace(b"</row>", b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>', 1).replace(
                b'<dimension ref="A1:F1"/>', b""
            ),
        ),
        "16.384 columns",
    ),
    "header-at-row-2000.xlsx": (
        workbook_bytes(*([] for _ in range(1_999)), HEADER_CELLS),
        "first 1.000 rows",
    ),
}


@pytest.mark.parametrize("name", sorted(PARSED))
def test_a_file_the_screen_lets_through_is_refused_by_the_worker_with_a_message(officer_a, name):
    data, message = PARSED[name]
    file_screen(data, name)  # nothing parsed in the web request
    with translation.override("en"), pytest.raises(ReadError) as refused:
        table = read_table(data, name)
        list(table.rows)
    assert message in refused.value.message
    batch = batches.batch_upload(user=officer_a, file_name=name, data=data, background=False)
    with translation.override("en"):
        batches.batch_validate(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and message in batch.message
    assert not Person.objects.exists()


def test_rows_longer_than_the_bound_are_cut_not_held(officer_a):
    long_row = ["3212161503180007", "32.12.16.2004", "3212161204900001", "A", "L", "Anak", *["x"] * 5_000]
    table = read_table(register(HEADER_CELLS, long_row), "register.csv")
    [(_number, cells)] = list(table.rows)
    assert len(cells) == MAX_COLUMNS


def test_the_admin_import_screens_its_file_and_takes_only_small_ones(client):
    staff = UserFactory(username="staff.a", is_staff=True)
    AssignmentFactory(user=staff, role="officer", area="32.12.16.2004")
    staff.user_permissions.set(Permission.objects.filter(codename__regex=r"^(view|add|change|import)_"))
    client.force_login(staff)
    from households.models import Household

    response = preview(client, Household, "a;" * 1_500_000)
    assert response.status_code == 200 and response.context["form"].errors["import_file"]
    assert "result" not in response.context
