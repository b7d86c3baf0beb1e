import pytest
from django.core.management import call_command

from dashboards.models import FigureRefresh

pytestmark = pytest.mark.django_db


def test_refresh_figures_command(programme, capsys):
    call_command("refresh_figures")
    assert FigureRefresh.objects.get().is_full  # the first of the day
    call_command("refresh_figures")
    assert not FigureRefresh.objects.order_by("-started_at").first().is_full
    call_command("refresh_figures", "--full")
    assert FigureRefresh.objects.order_by("-started_at").first().is_full
    assert "Figures refreshed" in capsys.readouterr().out
