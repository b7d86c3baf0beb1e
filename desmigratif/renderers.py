"""The form renderer: Django's stock widget templates written in Python.

Each field of a form costs Django one template render per widget, plus one include per
attribute list and one per ``<option>``. On the household form (about 75 fields, several
long selects) that was three quarters of the page's time. The widgets below produce the
same markup as Django's templates (``tests/desmigratif/test_renderers.py`` compares them);
any other template, or a project override of one of these, goes through the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
}


def _text(value: Any) -> str:
    # What ``{{ value }}`` (and ``|stringformat:'s'``, which keeps safe strings safe) writes.
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict[str, Any]) -> str:
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != f"{WIDGETS}select_option.html":
                return ""  # an unusual option template: let the templates do it
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FastWidgetRenderer(TemplatesSetting):
    """``TemplatesSetting`` (project templates may override form templates), with the stock
    input, select and textarea widgets rendered without a template."""

    def __init__(self) -> None:
        super().__init__()
        self._fast: dict[str, Callable[[dict[str, Any]], str]] = dict.fromkeys(INPUTS, _input)
        self._fast[f"{WIDGETS}select.html"] = _select
        self._fast[f"{WIDGETS}textarea.html"] = _textarea
        self._overridden: dict[str, bool] = {}

    def _is_stock(self, template_name: str) -> bool:
        """True unless the project's own template folders hold this template."""
        if template_name not in self._overridden:
            origin = self.get_template(template_name).origin.name
            self._overridden[template_name] = "/django/forms/templates/" not in origin.replace("\\", "/")
        return not self._overridden[template_name]

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString:
        fast = self._fast.get(template_name)
        widget = context.get("widget") if fast is not None else None
        if widget is not None and self._is_stock(template_name):
            html = fast(widget)
            if html:
                return mark_safe(html)  # noqa: S308 - every value above went through _text
        return super().render(template_name, context, request)
