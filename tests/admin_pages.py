"""The admin's pages as a browser uses them: the fields of a form as it would post them, and the
import's two steps (upload for a preview, then confirm)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import CSV


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_chosen: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_chosen = name, []
        elif tag == "option" and self._select is not None and "selected" in a:
            self._select_chosen.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.fields.extend((self._select, value) for value in self._select_chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def admin_form_data(response, model, *, past_version: bool = False) -> dict[str, str | list[str]]:
    """What the browser would post from an admin add or change page of ``model`` (or the page of
    one of its past versions), as it stands."""
    reader = _FormReader(f"{'historical' if past_version else ''}{model._meta.model_name}_form")
    reader.feed(response.content.decode())
    data: dict[str, str | list[str]] = {}
    for name, value in reader.fields:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def preview(client, model, text: str):
    """Upload ``text`` to the model's admin import: the preview page."""
    model_admin = admin.site._registry[model]
    csv_index = next(i for i, f in enumerate(model_admin.get_import_formats()) if f is CSV)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    return client.post(url, {"import_file": SimpleUploadedFile("x.csv", text.encode()), "format": csv_index})


def confirm(client, model, page, **overrides):
    """Confirm the import previewed on ``page``; ``overrides`` change what the confirm form posts."""
    form = page.context["confirm_form"]
    data = {
        name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    data.update(overrides)
    return client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import"), data)
