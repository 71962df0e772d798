"""The Content-Security-Policy and the Permissions-Policy: on every page, strict (no inline script, no
inline style, no plugin, no framing, forms post only here), and the templates hold nothing the policy
would block, so what it forbids is not needed anywhere."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR).resolve()
# The project's own templates: the templates/ folder and those of its apps (not the installed packages').
TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
    Path(app.path) / "templates" for app in apps.get_app_configs() if Path(app.path).resolve().parent == BASE
]


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("user", [None, "dpmd_mukomuko", "head_suka_pindah"])
def test_every_page_carries_a_strict_content_security_policy(user, login, client, request, suka_pindah):
    pages = {None: "/masuk/", "dpmd_mukomuko": "/wilayah/17.06/", "head_suka_pindah": f"/desa/{suka_pindah.code}/"}
    browser = login(request.getfixturevalue(user)) if user else client

    response = browser.get(pages[user])

    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_response_turns_off_camera_microphone_location_payment_and_usb(client, suka_pindah):
    for response in (client.get("/masuk/"), client.get("/healthz"), client.get("/halaman-yang-tidak-ada/")):
        features = dict(part.strip().split("=") for part in response["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()"


class _Blocked(HTMLParser):
    """What a strict policy refuses in a page: an inline script, an on* handler, a style attribute or
    element, a javascript: link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): (value or "") for name, value in attrs}
        line = self.getpos()[0]
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        for name, value in names.items():
            if name.startswith("on") and name.isalpha():
                self.found.append(f"line {line}: {name}= handler on <{tag}>")
            if name == "style":
                self.found.append(f"line {line}: style= attribute on <{tag}>")
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: javascript: URL on <{tag}>")


def blocked_in(text: str) -> list[str]:
    parser = _Blocked()
    parser.feed(text)
    parser.close()
    return parser.found


def test_the_scanner_finds_what_the_policy_blocks():
    assert blocked_in('<script>alert(1)</script><button onclick="x()">') == [
        "line 1: inline <script>",
        "line 1: onclick= handler on <button>",
    ]
    assert len(blocked_in('<p style="color:red"><style>p{}</style><a href="javascript:x()">')) == 3
    assert blocked_in('<script src="/static/js/nik.js" defer></script><p class="online" data-on="1">') == []


def test_no_template_holds_an_inline_script_handler_or_style():
    templates = sorted(path for folder in TEMPLATE_DIRS if folder.exists() for path in folder.rglob("*.html"))
    assert len(templates) > 50

    found = {str(path.resolve().relative_to(BASE)): blocked_in(path.read_text()) for path in templates}

    assert {path: problems for path, problems in found.items() if problems} == {}
