"""The initial list of jobs abroad; administrators edit it in the admin afterwards."""

from django.db import migrations

JOBS = [
    ("domestic-worker", "Pekerja rumah tangga"),
    ("caregiver", "Perawat lansia / caregiver"),
    ("plantation", "Pekerja perkebunan"),
    ("manufacturing", "Operator pabrik / manufaktur"),
    ("fishing-crew", "Awak kapal perikanan"),
    ("construction", "Pekerja konstruksi"),
    ("agriculture", "Pekerja pertanian"),
    ("hospitality", "Perhotelan dan restoran"),
    ("driver", "Pengemudi"),
    ("nurse", "Perawat"),
    ("cleaning", "Petugas kebersihan"),
    ("other", "Lainnya"),
]


def add_jobs(apps, schema_editor):
    Job = apps.get_model("households", "Job")
    for code, name in JOBS:
        Job.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(add_jobs, migrations.RunPython.noop)]
