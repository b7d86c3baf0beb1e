"""The household form with its members' formset, as the browser posts it."""

from html.parser import HTMLParser

from tests.factories import VILLAGE_A


def management(total, initial=0):
    """The management form of the members' formset: ``total`` forms, ``initial`` of them existing."""
    return {
        "members-TOTAL_FORMS": str(total),
        "members-INITIAL_FORMS": str(initial),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }


def member(index, **values):
    """The fields of member form ``index``: a male child with nothing else filled, but ``values``."""
    base = {
        "nik": "",
        "name": "",
        "sex": "M",
        "birth_place": "",
        "birth_date": "",
        "relationship": "child",
        "religion": "",
        "education": "",
        "occupation": "",
        "marital_status": "",
    }
    base.update(values)
    return {f"members-{index}-{key}": value for key, value in base.items()}


def household_post(**overrides):
    """The household form of a new household of village A, with ``overrides``."""
    data = {
        "village__province": "32",
        "village__regency": "32.12",
        "village__district": "32.12.16",
        "village__village": VILLAGE_A,
        "kk_number": "3212161503180007",
        "dusun": "Blok A",
        "rt": "1",
        "rw": "2",
        "address": "",
        "phone": "+852 9123 4567",
        "version": "",
    }
    data.update(overrides)
    return data


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.fields.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self.fields[-1][1].startswith("\n"):
                self.fields[-1] = (self.fields[-1][0], self.fields[-1][1][1:])
            self._textarea = None


def posted_fields(html: str) -> dict[str, str]:
    """What a browser posts from the page's record form (the POST form holding ``csrfmiddlewaretoken``
    and more): every named input (checked boxes only), select (its chosen option) and textarea;
    the last value of a repeated name."""
    forms = []
    for part in html.split('<form method="post"')[1:]:
        reader = _FormReader()
        reader.feed(part[: part.index("</form>")])
        forms.append(dict(reader.fields))
    return max(forms, key=len)
