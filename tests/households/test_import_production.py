"""Hostile uploads under the production settings themselves: a separate process whose
settings.py is read with DEBUG off, a real secret key, HTTPS-only cookies and redirects,
and the manifest static storage, exactly as a deployment reads it."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from households.models import ImportBatch
from tests.processes import production_env, run_manage
from tests.workers import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from desmigratif.models import User
from tests.households.imports import hostile_uploads

assert not settings.DEBUG and settings.SESSION_COOKIE_SECURE and settings.SECURE_SSL_REDIRECT
client = Client()
client.force_login(User.objects.get(username=sys.argv[1]))
results = {}
for name, content in hostile_uploads():
    response = client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, content)}, secure=True)
    page = response.content.decode()
    results[name] = [response.status_code, "invalid-feedback" in page, "Traceback" in page]
print(json.dumps(results))
"""


def test_hostile_uploads_under_production_settings(officer_a, tmp_path):
    env = production_env(ALLOWED_HOSTS="testserver", DATABASE_URL=database_url(), STATIC_ROOT=str(tmp_path))
    collected = run_manage("collectstatic", "--noinput", "--verbosity", "0", **env)
    assert collected.returncode == 0, collected.stderr
    env.update(DJANGO_SETTINGS_MODULE="desmigratif.settings", PYTHONPATH=str(settings.BASE_DIR))
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, officer_a.username],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(results) == {"empty.csv", "photo.csv", "old.xls", "bomb.xlsx", "fake.xlsx"}
    for name, (status, refused_with_a_message, traceback) in results.items():
        assert (status, refused_with_a_message, traceback) == (200, True, False), name
    assert not ImportBatch.objects.exists()
