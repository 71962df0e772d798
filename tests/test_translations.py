"""The Indonesian catalogue is complete, compiled and in use.

When one of the catalogue tests fails after new strings were added:

    python manage.py makemessages -l id --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench
    # translate every new or fuzzy entry in locale/id/LC_MESSAGES/django.po, then remove its "#, fuzzy"
    python manage.py compilemessages -l id --ignore=.venv

The .po is read by the small parser below (no polib); the .mo by the standard library's gettext.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "id" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
HOW_TO_FIX = "translate it in locale/id/LC_MESSAGES/django.po, then run compilemessages -l id"


# --- a small .po reader ------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # a singular entry has only msgstr[0]
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def mo_key(self) -> str:
        """How gettext keys the entry: a context is prefixed with an EOT byte."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(literal: str) -> str:
    # A PO string uses C escapes (\" \\ \n \t), which a Python string literal reads the same way.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the field that continuation lines extend
    last = None  # the keyword seen last, to tell a new entry from a flag comment inside one

    def start(line_no: int) -> Entry:
        new = Entry(line=line_no)
        entries.append(new)
        return new

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target, last = None, None, None
            continue
        if line.startswith("#~"):  # obsolete entry kept by msgmerge: not part of the catalogue
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if entry is None or last is not None:
                    entry, last = start(line_no), None
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            elif entry is None or last is not None:
                entry, last = start(line_no), None
            target = None
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if entry is None or (keyword in ("msgctxt", "msgid") and last not in (None, "msgctxt")):
                entry = start(line_no)
            value = _unquote(literal)
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                n = int(index) if index is not None else 0
                entry.msgstr[n], target = value, ("msgstr", n)
            last = keyword
            continue
        if line.startswith('"') and entry is not None and target is not None:
            name, n = target
            value = _unquote(line)
            if name == "msgstr":
                entry.msgstr[n] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        raise AssertionError(f"{path}:{line_no}: cannot read this line: {raw!r}")
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.is_header), None)
    assert header is not None, f"{PO_PATH} has no header entry"
    lines = header.msgstr.get(0, "").splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines) if k.strip()}


def nplurals(entries: list[Entry]) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries).get("Plural-Forms", ""))
    assert match, f"{PO_PATH}: the header declares no Plural-Forms"
    return int(match.group(1))


# A printf-style conversion: %(name)s, %d, %.1f ... (%% is a literal percent sign, not a placeholder).
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcuo%]")


def placeholders(text: str) -> list[str]:
    found = []
    for m in _PLACEHOLDER.finditer(text):
        if m.group(0) == "%%":
            continue
        found.append(f"%({m.group(1)}){m.group(0)[-1]}" if m.group(1) else m.group(0))
    return sorted(found)


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l id"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    return [e for e in po_entries if not e.is_header]


# --- the .po -----------------------------------------------------------------------------------------


def test_the_parser_reads_plural_and_multiline_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\n#| msgid "old"\nmsgid ""\n"Two \\"lines\\" "\n"joined"\nmsgstr "x"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr ""\n\n'
        'msgid "%(n)s post"\nmsgid_plural "%(n)s posts"\nmsgstr[0] "%(n)s jabatan"\n\n'
        '#~ msgid "gone"\n#~ msgstr "hilang"\n',
        encoding="utf-8",
    )
    header, multi, ctxt, plural = parse_po(po)

    assert header.is_header and nplurals([header]) == 1
    assert (multi.msgid, multi.msgstr, multi.flags) == ('Two "lines" joined', {0: "x"}, {"fuzzy", "python-format"})
    assert (ctxt.mo_key, ctxt.msgstr) == ("month\x04May", {0: ""})
    assert (plural.msgid_plural, plural.msgstr) == ("%(n)s posts", {0: "%(n)s jabatan"})


def test_the_catalogue_is_indonesian(po_entries):
    assert header_fields(po_entries).get("Language") == "id"
    assert "charset=UTF-8" in header_fields(po_entries).get("Content-Type", "")


def test_every_entry_is_translated(messages):
    assert messages, f"{PO_PATH} has no entries: run makemessages -l id"
    untranslated = [str(e) for e in messages if not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, f"{len(untranslated)} untranslated entries; {HOW_TO_FIX}:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(po_entries):
    fuzzy = [("header" if e.is_header else str(e)) for e in po_entries if "fuzzy" in e.flags]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entries (a guess by makemessages, not used at run time): check the translation, "
        "then remove its '#, fuzzy' line:\n" + "\n".join(fuzzy)
    )


def test_plural_entries_have_as_many_forms_as_the_header_declares(po_entries, messages):
    n = nplurals(po_entries)
    wrong = [f"{e} has {len(e.msgstr)}" for e in messages if e.msgid_plural is not None and len(e.msgstr) != n]
    assert not wrong, f"Indonesian has {n} plural form(s) (msgstr[0] only when 1):\n" + "\n".join(wrong)


def test_translations_keep_the_placeholders_of_the_english(messages):
    wrong = []
    for e in messages:
        if e.msgid_plural is None:
            if placeholders(e.msgstr.get(0, "")) != placeholders(e.msgid):
                wrong.append(f"{e}: {placeholders(e.msgid)} became {placeholders(e.msgstr.get(0, ''))}")
        else:
            allowed = set(placeholders(e.msgid)) | set(placeholders(e.msgid_plural))
            for n, text in e.msgstr.items():
                if not set(placeholders(text)) <= allowed:
                    wrong.append(f"{e} msgstr[{n}]: {placeholders(text)} is not among {sorted(allowed)}")
    assert not wrong, "placeholders differ from the English:\n" + "\n".join(wrong)


# --- the compiled .mo --------------------------------------------------------------------------------


def test_the_compiled_catalogue_matches_the_po(po_entries, messages):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages -l id"
    with MO_PATH.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)

    # What msgfmt puts in the .mo: every translated entry that is not fuzzy, plural forms keyed (msgid, n).
    expected: dict[str | tuple[str, int], str] = {}
    for e in messages:
        if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values()):
            continue
        if e.msgid_plural is None:
            expected[e.mo_key] = e.msgstr[0]
        else:
            expected.update({(e.mo_key, n): text for n, text in e.msgstr.items()})
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}  # "" is the header

    stale = "the .mo is older than the .po: run compilemessages -l id"
    missing = sorted(str(k) for k in expected.keys() - compiled.keys())
    extra = sorted(str(k) for k in compiled.keys() - expected.keys())
    assert not missing, f"{stale}; not compiled yet:\n" + "\n".join(missing)
    assert not extra, f"{stale}; compiled but no longer in the .po:\n" + "\n".join(extra)
    changed = sorted(f"{k!r}: {compiled[k]!r} ≠ {v!r}" for k, v in expected.items() if compiled[k] != v)
    assert not changed, f"{stale}; translation changed since:\n" + "\n".join(changed)

    po_header = header_fields(po_entries)
    mo_header = {k.lower(): v for k, v in mo.info().items()}
    for name in ("Language", "Plural-Forms", "Content-Type"):
        assert mo_header.get(name.lower()) == po_header.get(name), f"{stale}; header {name} differs"


# --- in use ------------------------------------------------------------------------------------------


def test_the_login_page_is_in_indonesian_by_default(client, db):
    response = client.get("/masuk/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Masuk" in content
    assert "Kata sandi" in content
    assert "Log in" not in content
    assert response["Content-Language"] == "id"


def test_the_language_switch_shows_the_login_page_in_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302

    content = client.get("/masuk/").content.decode()
    assert "Log in" in content
    assert "Password" in content
    assert "Kata sandi" not in content

    client.post("/i18n/setlang/", {"language": "id", "next": "/masuk/"})
    assert "Kata sandi" in client.get("/masuk/").content.decode()
