"""Documents and photos of persons, stays and cases: judged by their content, photos re-encoded
without their metadata, served only through the scoped and logged view; a child's only to the
village's officers."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from desmigratif.models import AccessLog
from households.models import Document
from tests.conftest import VILLAGE_A
from tests.factories import EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def storage(documents_storage):
    return documents_storage


def phone_photo(width=3000, height=1000, fmt="JPEG", mode="RGB") -> bytes:
    """A photo as a phone takes it: with EXIF (its orientation, where and with what it was taken)."""
    image = Image.new(mode, (width, height), "red" if mode == "RGB" else (255, 0, 0, 128))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # taken holding the phone upright: to be turned 90°
    exif[0x010F] = "Samsung"  # make
    exif[0x0110] = "Galaxy A14"  # model
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 20.0, 0.0), 3: "E", 4: (108.0, 19.0, 0.0)})
    output = io.BytesIO()
    image.save(output, format=fmt, exif=exif.tobytes())
    return output.getvalue()


def upload(client, url, data, name="foto.jpg", kind="ktp", content_type="image/jpeg"):
    return client.post(
        url, {"kind": kind, "title": "", "file": SimpleUploadedFile(name, data, content_type=content_type)}, follow=True
    )


def adult(**values):
    return PersonFactory(household__village_id=VILLAGE_A, birth_date=datetime.date(1990, 1, 1), **values)


def child():
    born = timezone.localdate() - datetime.timedelta(days=10 * 365)
    return PersonFactory(household__village_id=VILLAGE_A, birth_date=born, relationship="child")


def test_a_phone_photo_is_kept_upright_smaller_and_without_its_metadata(client, officer_a, storage):
    person = adult()
    client.force_login(officer_a)
    response = upload(client, reverse("households:person-document-add", args=[person.pk]), phone_photo())
    assert "Dokumen telah dilampirkan" in response.content.decode()
    document = person.documents.get()
    assert document.content_type == "image/jpeg" and document.village_id == VILLAGE_A and not document.about_child
    with storage.open(document.file.name) as kept:
        stored = Image.open(kept)
        stored.load()
    assert stored.size == (667, 2000)  # turned upright (1000 by 3000), then at most 2,000 a side
    assert not stored.getexif() and "exif" not in stored.info and "icc_profile" not in stored.info
    assert document.size == storage.size(document.file.name)
    assert VILLAGE_A in document.file.name and person.name not in document.file.name


def test_a_screenshot_with_transparency_and_a_pdf_are_accepted(client, officer_a, storage):
    person = adult()
    episode = EpisodeFactory(person=person)
    client.force_login(officer_a)
    upload(client, reverse("households:episode-document-add", args=[episode.pk]), phone_photo(400, 300, "PNG", "RGBA"))
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload(client, reverse("households:episode-document-add", args=[episode.pk]), pdf, "pk.pdf", "agreement")
    kinds = sorted(episode.documents.values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/jpeg"]
    kept = episode.documents.get(content_type="application/pdf")
    with storage.open(kept.file.name) as stored:
        assert stored.read() == pdf
    response = client.get(kept.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")  # to the phone's PDF reader
    assert (
        response["Content-Security-Policy"].endswith("; sandbox") and response["Cache-Control"] == "private, no-store"
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "foto.jpg"),  # named a photo, is a page
        (b"MZ\x90\x00" + b"\x00" * 200, "ktp.pdf"),  # a program
        (phone_photo()[:2000], "potong.jpg"),  # a photo cut short by a dropped connection
        (b"", "kosong.jpg"),
    ],
)
def test_what_is_not_a_photo_or_a_pdf_is_refused(client, officer_a, data, name):
    person = adult()
    client.force_login(officer_a)
    page = upload(client, reverse("households:person-document-add", args=[person.pk]), data, name).content.decode()
    assert not Document.objects.exists()
    assert "alert-danger" in page


def test_a_file_over_the_limit_is_refused(client, officer_a, settings):
    settings.DOCUMENT_MAX_MB = 1
    person = adult()
    client.force_login(officer_a)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    page = upload(client, reverse("households:person-document-add", args=[person.pk]), big, "besar.pdf").content
    assert not Document.objects.exists() and b"1 MB" in page


def test_documents_are_seen_only_inside_the_scope_and_each_view_is_logged(
    client, officer_a, officer_b, coordinator, analyst
):
    person = adult()
    client.force_login(officer_a)
    upload(client, reverse("households:person-document-add", args=[person.pk]), phone_photo(300, 200))
    document = person.documents.get()
    household_page = person.household.get_absolute_url()
    assert document.get_absolute_url() in client.get(household_page).content.decode()

    for outsider in (officer_b, analyst):
        client.force_login(outsider)
        assert client.get(document.get_absolute_url()).status_code == 404
        assert upload(client, reverse("households:person-document-add", args=[person.pk]), b"%PDF-1").status_code == 404
    client.force_login(coordinator)  # reads the regency's records
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert AccessLog.objects.filter(user=coordinator, kind="document_view", what__contains=str(document.pk)).exists()
    assert client.post(reverse("households:document-delete", args=[document.pk])).status_code == 404  # reads only


def test_a_childs_documents_are_for_the_villages_officers_only(client, officer_a, coordinator):
    kid = child()
    client.force_login(officer_a)
    upload(client, reverse("households:person-document-add", args=[kid.pk]), phone_photo(300, 200), kind="kk")
    document = kid.documents.get()
    assert document.about_child
    assert client.get(document.get_absolute_url()).status_code == 200
    client.force_login(coordinator)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert document.get_absolute_url() not in client.get(kid.household.get_absolute_url()).content.decode()


def test_a_cases_documents_and_removing_one(client, officer_a, storage, django_capture_on_commit_callbacks):
    from households.models import ServiceRequest

    mother = adult(name="Ibu Warsini")
    case = ServiceRequest.objects.create(
        village_id=VILLAGE_A, kind="complaint", person_served=mother, description="Gaji tidak dibayar."
    )
    client.force_login(officer_a)
    upload(client, reverse("households:case-document-add", args=[case.pk]), phone_photo(800, 600), kind="letter")
    document = case.documents.get()
    assert document.get_absolute_url() in client.get(case.get_absolute_url()).content.decode()
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:document-delete", args=[document.pk]))
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert not Document.objects.exists() and not storage.exists(name)
