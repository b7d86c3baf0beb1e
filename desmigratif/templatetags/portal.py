from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.db.models import Model
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def verbose_name(obj: Model) -> str:
    """The translated verbose name of a record's model ("desa", "kabupaten/kota", ...)."""
    return str(obj._meta.verbose_name)


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` in a template, for keys held in a variable."""
    return mapping.get(key)


# --- form fields ---------------------------------------------------------------------------------
# crispy-forms' Bootstrap 5 field markup, written in Python for the widgets the portal's busy
# forms use: crispy renders half a dozen templates per field, which made the household form
# (about 75 fields) the slowest page of the portal. Other widgets still go through crispy.


def _classes(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        for name in part.split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


def _label_text(bound: BoundField) -> str:
    required = '<span class="asteriskField">*</span>' if bound.field.required else ""
    return f"{conditional_escape(bound.label)}{required}"


def _help_and_errors(bound: BoundField) -> str:
    parts = []
    if bound.errors:
        errors = "".join(
            f'<p id="error_{number}_{bound.auto_id}"><strong>{conditional_escape(error)}</strong></p>'
            for number, error in enumerate(bound.errors, start=1)
        )
        parts.append(f'<div id="{bound.auto_id}_error" class="invalid-feedback">{errors}</div>')
    if bound.help_text:
        parts.append(f'<div id="{bound.auto_id}_helptext" class="form-text">{bound.help_text}</div>')
    return "".join(parts)


@register.filter
def field_group(bound: BoundField) -> SafeString:
    """One field as crispy's Bootstrap 5 pack writes it: wrapper, label, widget with its
    Bootstrap classes (``is-invalid`` on errors), errors, help text."""
    if bound.is_hidden:
        return SafeString(str(bound))
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxInput):
        kind = "form-check-input"
    elif isinstance(widget, forms.Select):
        kind = "form-select"
    elif isinstance(widget, (forms.widgets.Input, forms.Textarea)) and not isinstance(widget, forms.FileInput):
        kind = "form-control"
    else:
        return as_crispy_field(bound)
    invalid = " is-invalid" if bound.errors else ""
    css = _classes(widget.attrs.get("class", ""), type(widget).__name__.lower(), kind + invalid)
    control = bound.as_widget(attrs={"class": css})
    if bound.field.show_hidden_initial:
        control += bound.as_hidden(only_initial=True)
    required = " requiredField" if bound.field.required else ""
    if kind == "form-check-input":
        label = f'<label for="{bound.id_for_label}" class="form-check-label{required}">{_label_text(bound)}</label>'
        inner = f'<div id="div_{bound.auto_id}" class="form-check">{control}{label}{_help_and_errors(bound)}</div>'
        return SafeString(f'<div class="mb-3">{inner}</div>')
    label = ""
    if bound.label:
        label = f'<label for="{bound.id_for_label}" class="form-label{required}">{_label_text(bound)}</label>'
    return SafeString(f'<div id="div_{bound.auto_id}" class="mb-3">{label}{control}{_help_and_errors(bound)}</div>')


@register.filter
def form_fields(form: forms.Form) -> SafeString:
    """A whole form's errors and fields with :func:`field_group` (what ``|crispy`` writes)."""
    parts = []
    if form.non_field_errors():
        errors = "".join(f"<li>{conditional_escape(error)}</li>" for error in form.non_field_errors())
        parts.append(f'<div class="alert alert-block alert-danger"><ul class="m-0">{errors}</ul></div>')
    parts.extend(field_group(bound) for bound in form)
    return SafeString("".join(parts))
