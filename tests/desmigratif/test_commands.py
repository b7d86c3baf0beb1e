"""seed_demo: the demo cast, idempotent, never silently in production."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings

from desmigratif.access import Action, scope_for
from desmigratif.models import Assignment, User
from desmigratif.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

EXPECTED = {
    "admin": ("administrator", ""),
    "petugas.kenanga": ("officer", "32.12.16.2004"),
    "petugas.kuripan": ("officer", "33.07.10.2004"),
    "koordinator.indramayu": ("coordinator", "32.12"),
    "analis.kemnaker": ("analyst", ""),
}


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_cast_once(capsys):
    call_command("seed_demo")
    assert "5 created" in capsys.readouterr().out
    for username, (role, area) in EXPECTED.items():
        user = authenticate(RequestFactory().post("/masuk/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assignment = Assignment.objects.get(user=user)
        assert (assignment.role, assignment.area_code) == (role, area)
    assert User.objects.get(username="admin").is_superuser
    assert scope_for(User.objects.get(username="petugas.kenanga"), Action.WRITE).areas == {"32.12.16.2004"}

    call_command("seed_demo")
    assert "0 created, 5 already there" in capsys.readouterr().out
    assert User.objects.filter(username__in=EXPECTED).count() == 5
    assert Assignment.objects.filter(user__username__in=EXPECTED).count() == 5


@override_settings(DEBUG=False)
def test_seed_demo_refuses_production_unless_asked():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()
    call_command("seed_demo", allow_production=True)
    assert User.objects.filter(username="admin").exists()
