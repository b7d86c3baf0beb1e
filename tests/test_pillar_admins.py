"""Every admin of pillars 2-4: a staff officer with view permission sees only their village's
records, and import and export each need their own permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import pillar_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("categories")]

MODELS = [
    "enterprises.enterprise",
    "enterprises.training",
    "enterprises.attendance",
    "enterprises.mentoringvisit",
    "enterprises.equipmentaid",
    "childcare.learninghouse",
    "childcare.child",
    "childcare.session",
    "cooperatives.cooperative",
    "cooperatives.membership",
    "cooperatives.facility",
]


@pytest.mark.parametrize("label", MODELS)
def test_admin_is_scoped_and_import_export_need_their_permission(client, officer_a, label):
    from django.apps import apps

    app_label, model_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    mine, theirs = pillar_record(model, VILLAGE_A, "Milik Kenanga"), pillar_record(model, VILLAGE_B, "Milik Kuripan")
    officer_a.is_staff = True
    officer_a.save()
    officer_a.user_permissions.add(
        Permission.objects.get(codename=f"view_{model_name}", content_type__app_label=app_label)
    )
    client.force_login(officer_a)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    pks = {row.pk for row in changelist.context["cl"].result_list}
    assert mine.pk in pks and theirs.pk not in pks
    assert client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse(f"admin:{app_label}_{model_name}_import")).status_code == 403
    assert client.get(reverse(f"admin:{app_label}_{model_name}_export")).status_code == 403


def page_urls(model, record):
    """The pages of one record of pillars 2-4: (url, expected status for the village's officer)."""
    name = model._meta.model_name
    if name == "enterprise":
        return [
            record.get_absolute_url(),
            reverse("enterprises:update", args=[record.pk]),
            reverse("enterprises:aid-create", args=[record.pk]),
            reverse("enterprises:visit-create", args=[record.pk]),
        ]
    if name == "training":
        return [
            record.get_absolute_url(),
            reverse("enterprises:training-update", args=[record.pk]),
            reverse("enterprises:training-attendance", args=[record.pk]),
        ]
    if name == "learninghouse":
        return [
            record.get_absolute_url(),
            reverse("childcare:house-update", args=[record.pk]),
            reverse("childcare:session-create", args=[record.pk]),
        ]
    if name == "child":
        return [
            record.get_absolute_url(),
            reverse("childcare:child-update", args=[record.pk]),
            reverse("childcare:child-create", args=[record.person_id]),
        ]
    if name == "cooperative":
        return [
            record.get_absolute_url(),
            reverse("cooperatives:update", args=[record.pk]),
            reverse("cooperatives:member-create", args=[record.pk]),
        ]
    return [reverse("cooperatives:facility-update", args=[record.pk])]


PAGES = [
    "enterprises.enterprise",
    "enterprises.training",
    "childcare.learninghouse",
    "childcare.child",
    "cooperatives.cooperative",
    "cooperatives.facility",
]


@pytest.mark.parametrize("label", PAGES)
def test_every_page_opens_for_the_village_officer_and_is_404_elsewhere(client, officer_a, officer_b, label):
    from django.apps import apps

    model = apps.get_model(*label.split("."))
    record = pillar_record(model, VILLAGE_A, "Milik Kenanga")
    client.force_login(officer_a)
    for url in page_urls(model, record):
        assert client.get(url).status_code == 200, url
    client.force_login(officer_b)
    for url in page_urls(model, record):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    ("url_name", "field", "value"),
    [
        ("enterprises:update", "status", "paused"),
        ("childcare:house-update", "name", "RB Baru"),
        ("cooperatives:update", "status", "dormant"),
    ],
)
def test_edits_are_saved_with_the_version_check(client, officer_a, url_name, field, value):
    model = {
        "enterprises": "enterprises.enterprise",
        "childcare": "childcare.learninghouse",
        "cooperatives": "cooperatives.cooperative",
    }
    from django.apps import apps

    record = pillar_record(apps.get_model(*model[url_name.split(":")[0]].split(".")), VILLAGE_A, "Milik Kenanga")
    url = reverse(url_name, args=[record.pk])
    client.force_login(officer_a)
    form = client.get(url).context["form"]
    data = {
        name: bound.value() for name, bound in ((n, form[n]) for n in form.fields) if bound.value() not in (None, "")
    }
    data.update({key: value for key, value in data.items() if isinstance(value, list)})
    if "village" in form.fields:
        parts = VILLAGE_A.split(".")
        data.pop("village", None)
        data.update(
            {
                f"village__{key}": ".".join(parts[: n + 1])
                for n, key in enumerate(["province", "regency", "district", "village"])
            }
        )
    data[field] = value
    stale = {**data, "version": record.version - 1 if record.version > 1 else 0}
    assert client.post(url, stale).status_code == 409
    response = client.post(url, {**data, "version": record.version})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    record.refresh_from_db()
    assert getattr(record, field) == value and record.version == 2
