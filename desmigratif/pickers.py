"""Search pickers: choosing persons, households or children among a whole village's.

A village of 1,000 households has some 4,000 persons; a checkbox for each would make a
training's attendance page weigh megabytes on a phone. A picker draws only what is chosen
(on top, ticked) and the first matches of a search box, which htmx refreshes from the same
page (``?pick=<field>``) as the officer types. The field keeps its whole scoped queryset, so
validation of what is posted is unchanged: the picker only limits what is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

PICK_LIMIT = 20  # matches drawn per search: a phone screen or two
TYPE_A_NAME = _("Type a name")

Search = Callable[[Any, str], QuerySet]  # (the field's queryset, the typed term) -> matches


@dataclass
class PickerFilter:
    """A select beside the search box (e.g. the dusun), narrowing the matches."""

    key: str
    label: Any
    choices: Sequence[str]
    apply: Callable[[QuerySet, str], QuerySet]


@dataclass
class PickerState:
    """What the officer typed and selected, read from the query string of a search."""

    query: str = ""
    filters: dict[str, str] = field(default_factory=dict)


class SearchPicker(forms.Select):
    """One choice among many, as radio buttons: the chosen one, then the matches of a search."""

    template_name = "desmigratif/widgets/search_picker.html"
    list_template_name = "desmigratif/widgets/search_picker_list.html"
    input_type = "radio"

    class Media:
        js = ["vendor/htmx/htmx.min.js", "desmigratif/htmx-config.js", "desmigratif/pickers.js"]

    def __init__(
        self,
        *,
        search: Search,
        placeholder: Any = TYPE_A_NAME,
        filters: Sequence[PickerFilter] = (),
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.search = search
        self.placeholder = placeholder
        self.filters = list(filters)
        self.state = PickerState()

    def read_state(self, params: Any, name: str) -> None:
        """Take the search and filters from a request's query string (``<name>__q`` etc.)."""
        self.state = PickerState(
            query=(params.get(f"{name}__q") or "").strip()[:100],
            filters={f.key: params.get(f"{name}__{f.key}") or "" for f in self.filters},
        )

    def chosen_values(self, value: Any) -> list[str]:
        return [str(v) for v in self.format_value(value) if v]

    def picked(self, value: Any) -> tuple[list[Any], list[Any], int]:
        """The chosen records, up to PICK_LIMIT matches that are not chosen, and how many match."""
        choices = self.choices
        queryset: QuerySet = choices.queryset  # type: ignore[attr-defined]  # a ModelChoiceIterator
        chosen_ids = [v for v in self.chosen_values(value) if v.isdigit()]
        chosen = list(queryset.filter(pk__in=chosen_ids)) if chosen_ids else []
        candidates = queryset.exclude(pk__in=chosen_ids)
        if self.state.query:
            candidates = self.search(candidates, self.state.query)
        for picker_filter in self.filters:
            wanted = self.state.filters.get(picker_filter.key)
            if wanted:
                candidates = picker_filter.apply(candidates, wanted)
        matches = list(candidates[:PICK_LIMIT])
        total = len(matches) if len(matches) < PICK_LIMIT else candidates.count()
        return chosen, matches, total

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        chosen, matches, total = self.picked(value)
        label = self.choices.choice  # type: ignore[attr-defined]  # the field's own labels
        index = 0
        options = []
        for records, selected in ((chosen, True), (matches, False)):
            for record in records:
                option_value, option_label = label(record)
                option_id = {"id": f"{widget['attrs'].get('id', name)}_{index}"}
                options.append(self.create_option(name, option_value, option_label, selected, index, attrs=option_id))
                index += 1
        widget.update(
            options=options,
            chosen_count=len(chosen),
            match_count=len(matches),
            total=total,
            more=total - len(matches),
            query=self.state.query,
            placeholder=self.placeholder,
            filters=[(f, self.state.filters.get(f.key, "")) for f in self.filters],
            input_type=self.input_type,
            list_template_name=self.list_template_name,
        )
        return context

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        return []  # the options are drawn by get_context, never the whole queryset

    def id_for_label(self, id_: str, index: str = "0") -> str:
        return f"{id_}__q" if id_ else id_  # the label names the search box


class SearchPickerMultiple(SearchPicker, forms.SelectMultiple):
    """Many choices among many, as checkboxes: the chosen ones on top, then the matches."""

    input_type = "checkbox"
    allow_multiple_selected = True


def picker_response(request: HttpRequest, form: forms.BaseForm) -> HttpResponse | None:
    """One picker's list for a ``?pick=<field>`` search of a form page, or None when the
    request is not one. The chosen values come from the same query string, so what the
    officer ticked stays ticked and on top across searches."""
    if "pick" not in request.GET:
        return None
    name = request.GET["pick"]
    field = form.fields.get(name)
    if field is None or not isinstance(field.widget, SearchPicker):
        raise Http404
    widget = field.widget
    widget.read_state(request.GET, name)
    bound = form[name]
    value = request.GET.getlist(bound.html_name)
    context = widget.get_context(bound.html_name, value, {"id": bound.auto_id})
    return render(request, widget.list_template_name, context)
