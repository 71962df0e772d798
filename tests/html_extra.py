"""Reading a page's forms the way its user reads them, beside `tests/html.py`: the choice a `<select>`
shows, the choices it offers, the value of a hidden field, and the error printed under a field."""

from __future__ import annotations

from itertools import pairwise

from tests.html import Element


def choice(root: Element, name: str) -> str | None:
    """The value of the option a `<select name=...>` shows as chosen; None for the empty choice ("—")."""
    chosen = [o for o in root.find("select", name=name).find_all("option") if "selected" in o.attrs]
    value = chosen[0].attrs.get("value", "") if chosen else ""
    return value or None


def choices(root: Element, name: str) -> list[str]:
    """The values a `<select name=...>` offers, in order, without its empty choice."""
    return [o.attrs["value"] for o in root.find("select", name=name).find_all("option") if o.attrs.get("value")]


def hidden(root: Element, name: str) -> str | None:
    """The value of the hidden field `name` (None when the page has none)."""
    found = root.find_all("input", type="hidden", name=name)
    return found[0].attrs.get("value", "") if found else None


def errors_under(root: Element, name: str) -> list[str]:
    """The messages of the error list printed right after the element holding the field `name`
    (`<label>File<input name="file"></label><ul class="errorlist">…`); [] when there is none."""
    for element in [root, *root.iter()]:
        children = [c for c in element.children if isinstance(c, Element)]
        for holder, after in pairwise(children):
            holds = holder.attrs.get("name") == name or any(e.attrs.get("name") == name for e in holder.iter())
            if holds and after.tag == "ul" and "errorlist" in after.attrs.get("class", "").split():
                return [li.text for li in after.find_all("li")]
    return []
