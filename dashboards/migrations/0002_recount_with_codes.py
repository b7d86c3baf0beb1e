"""The measures of workers abroad by job and of enterprises by category now keep the code of the
job or category, not its name (names are shown in the viewer's language when read), and new
measures keep the spans of past periods: the summary is emptied, so that the next refresh
counts everything again. Until it has, the dashboards say their figures are being prepared."""

from django.db import migrations


def empty_the_summary(apps, schema_editor):
    apps.get_model("dashboards", "AreaFigure").objects.all().delete()
    apps.get_model("dashboards", "FigureRefresh").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(empty_the_summary, migrations.RunPython.noop)]
