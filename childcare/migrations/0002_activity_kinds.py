from django.db import migrations

ACTIVITY_KINDS = [
    ("reading", "Membaca", False),
    ("writing", "Menulis", False),
    ("arithmetic", "Berhitung", False),
    ("arts", "Seni", False),
    ("sports", "Olahraga", False),
    ("internet-literacy", "Literasi internet", False),
    ("religious", "Kegiatan keagamaan", False),
    ("counselling", "Konseling", False),
    ("financial-literacy", "Literasi keuangan", False),
    ("parenting-class", "Kelas pengasuhan untuk pengasuh", True),
]


def seed(apps, schema_editor):
    ActivityKind = apps.get_model("childcare", "ActivityKind")
    for code, name, for_caregivers in ACTIVITY_KINDS:
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "for_caregivers": for_caregivers})


class Migration(migrations.Migration):
    dependencies = [("childcare", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
