"""Reading a page the way its user reads it: the text of an element, the rows of a table, the links.

`page(response)` parses the HTML with the standard library's `html.parser` into a small tree of
`Element`s (the `<main>` of the page, so the menu and the footer do not match by accident). Numbers are
read back from their Indonesian spelling with `number("Rp1.700.000.000")` and `numbers("9 dari 148 desa")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}> {self.text[:80]!r}"

    @property
    def text(self) -> str:
        """The text as it reads: runs of white space are one space, a `<br>` is a space."""
        parts: list[str] = []
        self._collect(parts)
        return " ".join("".join(parts).split())

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append(" ")
            else:
                child._collect(parts)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Element]:
        """Descendants by tag, by one of their classes and by attributes (`data_label=` is `data-label`)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.attrs.get("class", "").split())
            and all(e.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
        """The first such descendant; a test that expects one fails here, naming what it looked for."""
        found = self.find_all(tag, cls=cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls!r} {attrs} in {self!r}"
        return found[0]

    def links(self) -> list[str]:
        return [a.attrs["href"] for a in self.find_all("a") if "href" in a.attrs]

    def rows(self, part: str = "tbody") -> list[dict[str, str]]:
        """The rows of a table's body (or of its `tfoot`), each {column: text}. A column is named by the
        cell's `data-label` (what the phone layout shows beside it), else by its heading; a cell spanning
        columns ("Nobody.") is no column, and a row left without any is left out."""
        headings = [th.text for th in self.find("thead").find_all("th")] if self.find_all("thead") else []
        rows = []
        for body in self.find_all(part):
            for tr in body.find_all("tr"):
                cells = [c for c in tr.children if isinstance(c, Element) and c.tag in ("th", "td")]
                named = {
                    c.attrs.get("data-label") or (headings[i] if i < len(headings) else str(i)): c.text
                    for i, c in enumerate(cells)
                    if "colspan" not in c.attrs
                }
                if named:
                    rows.append(named)
        return rows


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        # Close up to the matching open tag; a stray end tag closes nothing.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def page(response) -> Element:
    """The `<main>` of a response's page (the whole document when it has none)."""
    root = parse(response.content)
    mains = root.find_all("main")
    return mains[0] if mains else root


def number(text: str) -> int:
    """A whole number as the pages write it: "1.220", "Rp1.700.000.000", "-Rp1.000" → int."""
    cleaned = text.strip().replace("Rp", "").replace(".", "").replace("\N{MINUS SIGN}", "-")
    return int(cleaned)


def numbers(text: str) -> tuple[int, ...]:
    """Every whole number in a text, in order: "97 dari 1.220 perangkat · 8%" → (97, 1220).
    Percentages ("8%", "6,1%") and codes with more than three digits between dots are not counts."""
    found = []
    for word in text.replace("Rp", " ").split():
        word = word.strip("(),:;")
        groups = word.split(".")
        if all(g.isdigit() for g in groups) and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            found.append(int("".join(groups)))
        elif word.isdigit():
            found.append(int(word))
    return tuple(found)


def section(root: Element, heading: str) -> Element:
    """The card (`<section>` or `<article>`) whose heading reads `heading`."""
    for element in root.iter():
        if element.tag in ("section", "article"):
            titles = [h for h in element.children if isinstance(h, Element) and h.tag in ("h2", "h3")]
            if titles and titles[0].text == heading:
                return element
    raise AssertionError(f"no section headed {heading!r}")


def messages(response) -> list[tuple[str, str]]:
    """The messages the page shows, as (level, text): [("error", "Tanggal ... tidak valid")]."""
    lists = page(response).find_all("ul", cls="messages")
    return [(li.attrs["class"].removeprefix("msg-"), li.text) for ul in lists for li in ul.find_all("li")]


def row_linking(table: Element, href: str) -> dict[str, str]:
    """The row of `table`'s body that links to `href` (an official's page, say), read as `rows` reads it."""
    found = [tr for body in table.find_all("tbody") for tr in body.find_all("tr") if href in tr.links()]
    assert found, f"no row links to {href} in {table.rows()}"
    return Element("table", children=[*table.find_all("thead")[:1], Element("tbody", children=found[:1])]).rows()[0]


def facts(dl: Element) -> dict[str, str]:
    """A `<dl>` as {term: description}: {"NIK": "1706011708859301", "Tanggal lahir": "17 Agustus 1985"}."""
    terms = [c for c in dl.children if isinstance(c, Element) and c.tag in ("dt", "dd")]
    return {dt.text: dd.text for dt, dd in zip(terms[::2], terms[1::2], strict=True)}


def field_errors(root: Element, name: str) -> list[str]:
    """The errors a form shows beside its field `name` (villages/_field.html), [] when it shows none."""
    for field_ in root.find_all("div", cls="field"):
        if field_.find_all(name=name):
            return [p.text for p in field_.find_all("p", cls="error")]
    raise AssertionError(f"no field named {name!r} in {root!r}")


def form_errors(root: Element) -> list[str]:
    """The errors a form shows above its fields, about no one field ("msg-error" paragraphs)."""
    return [p.text for p in root.find_all("p", cls="msg-error")]


def hidden(root: Element, name: str) -> str | None:
    """The value of the hidden input `name` (a preview's token), as the browser would send it back; None
    when the page has none."""
    found = root.find_all("input", type="hidden", name=name)
    return found[0].attrs.get("value", "") if found else None


def choice(root: Element, name: str) -> str | None:
    """The value of the option a `<select name=...>` shows as chosen; None for the empty choice ("—")."""
    chosen = [o for o in root.find("select", name=name).find_all("option") if "selected" in o.attrs]
    value = chosen[0].attrs.get("value", "") if chosen else ""
    return value or None


def choices(root: Element, name: str) -> list[str]:
    """The values a `<select name=...>` offers, in order, without its empty choice."""
    return [o.attrs["value"] for o in root.find("select", name=name).find_all("option") if o.attrs.get("value")]


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
