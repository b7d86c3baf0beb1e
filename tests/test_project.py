"""Project-wide rules: no inline scripts or styles (CSP), vendored assets with licences,
a complete and compiled Indonesian translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
TEMPLATES = sorted((BASE / "templates").rglob("*.html"))
PO_FILE = BASE / "desmigratif" / "locale" / "id" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(BASE)))
def test_templates_have_no_inline_script_or_style(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: move it to static/"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler attribute"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute: use a class in portal.css"
    assert "<style" not in html
    assert "//cdn" not in html and "https://" not in html, "assets come from static/, never a CDN"


@pytest.mark.parametrize(
    ("folder", "files"),
    [
        ("bootstrap", ["bootstrap.min.css", "bootstrap.bundle.min.js", "LICENSE"]),
        ("htmx", ["htmx.min.js", "LICENSE"]),
        ("chartjs", ["chart.umd.min.js", "LICENSE.md"]),
    ],
)
def test_vendored_assets_ship_with_their_licences(folder, files):
    for name in files:
        assert (BASE / "static" / "vendor" / folder / name).is_file(), f"{folder}/{name}"


def test_indonesian_translation_is_complete_and_compiled():
    catalogue = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in polib.mofile(str(PO_FILE.with_suffix(".mo")))
    }
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in catalogue.translated_entries()
    }
    assert compiled == source, "django.mo is stale: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
@pytest.mark.slow
def test_every_user_facing_string_is_in_the_catalogue(tmp_path):
    # makemessages into a scratch copy of the catalogue; any new msgid means a string
    # was added without running `make messages` and translating it.
    scratch = tmp_path / "locale" / "id" / "LC_MESSAGES"
    scratch.mkdir(parents=True)
    shutil.copy(PO_FILE, scratch / "django.po")
    code = (
        "import os, sys; os.chdir(sys.argv[1]); "
        "from django.core.management import execute_from_command_line as run; "
        "run(['manage.py', 'makemessages', '--locale', 'id', '--no-obsolete', '--ignore', '.venv/*', "
        "'--ignore', 'staticfiles/*', '--ignore', 'tests/*'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "desmigratif.settings",
        "PYTHONPATH": str(BASE),
        "DEBUG": "1",
        "DATABASE_URL": settings.DATABASE_URL,
        "PATH": "/usr/bin:/bin",
    }
    # Run against a copy of the project tree's sources but with LOCALE_PATHS pointed at the scratch copy.
    project = tmp_path / "project"
    shutil.copytree(
        BASE,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".data", ".git", "staticfiles", "locale", "__pycache__", "node_modules", ".mypy_cache"
        ),
    )
    shutil.copytree(tmp_path / "locale", project / "desmigratif" / "locale")
    result = subprocess.run(
        [sys.executable, "-c", code, str(project)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(project / "desmigratif" / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in fresh.untranslated_entries() + fresh.fuzzy_entries()]
    assert not missing, f"strings missing from the Indonesian catalogue: {missing[:10]}"
