from django.db import migrations

CATEGORIES = [
    ("food", "Makanan dan minuman"),
    ("crafts", "Kerajinan"),
    ("garment", "Garmen / konveksi"),
    ("beauty", "Salon dan kecantikan"),
    ("production", "Produksi"),
    ("carpentry", "Pertukangan dan mebel"),
    ("agriculture", "Pertanian"),
    ("livestock", "Peternakan"),
    ("fisheries", "Perikanan"),
    ("services", "Jasa"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("enterprises", "Category")
    for code, name in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
