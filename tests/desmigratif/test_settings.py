"""settings.py refuses bad values, and production settings pass `check --deploy`."""

import json

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import production_env, run_manage


def test_fixed_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert connection.vendor == "postgresql"  # Django's backend, or the embedded server's (the same one)


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY is too weak"),
        ({"DEBUG": "maybe"}, "is not a boolean"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS='*' is refused"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is required"),
        ({"DATABASE_URL": "sqlite:///portal.db"}, "PostgreSQL"),
        ({"CSRF_TRUSTED_ORIGINS": "desmigratif.kemnaker.go.id"}, "CSRF_TRUSTED_ORIGINS"),
        ({"SECURE_HSTS_SECONDS": "-5"}, "SECURE_HSTS_SECONDS"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND"),
        ({"CACHE_MAX_ENTRIES": "5"}, "CACHE_MAX_ENTRIES"),
        ({"DOCUMENTS_STORAGE": "ftp"}, "DOCUMENTS_STORAGE"),
        ({"DOCUMENTS_STORAGE": "s3"}, "DOCUMENTS_S3_BUCKET"),
    ],
)
def test_bad_configuration_is_refused(overrides, message):
    result = run_manage("check", **production_env(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.slow
def test_collectstatic_succeeds_with_production_settings(tmp_path):
    # The manifest storage follows every url() and sourceMappingURL in the
    # vendored files: one missing file means a deploy that cannot start.
    result = run_manage("collectstatic", "--noinput", **production_env(STATIC_ROOT=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for source in ("vendor/chartjs/chart.umd.min.js", "vendor/htmx/htmx.min.js", "dashboards/dashboard.js"):
        assert (tmp_path / manifest[source]).is_file()
        assert (tmp_path / f"{manifest[source]}.gz").is_file()


@pytest.mark.slow
def test_reading_the_settings_starts_no_database_server(tmp_path):
    """Without DATABASE_URL the embedded PostgreSQL is started by the first connection, not by
    importing the settings (`manage.py help`, linters and translation tools need no server)."""
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); "
        "from django.db import connections; "
        "sys.exit(0 if connections['default'].settings_dict['ENGINE'] == 'desmigratif.embedded_db' "
        "and not connections['default'].settings_dict['HOST'] else 1)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "desmigratif.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_documents_go_to_object_storage_when_configured():
    show = (
        "from django.core.files.storage import storages; "
        "d = storages['documents']; print(type(d).__name__, d.bucket_name)"
    )
    result = run_manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        show,
        **production_env(DOCUMENTS_STORAGE="s3", DOCUMENTS_S3_BUCKET="dokumen-desmigratif"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["S3Storage", "dokumen-desmigratif"]
