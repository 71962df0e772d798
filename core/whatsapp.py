"""WhatsApp click-to-chat links (https://wa.me/<number>?text=<message>): the staff member's own WhatsApp
opens a chat with the number and a prefilled message; no external service is called by the app.

Indonesian numbers are written many ways (0812-3456-7890, +62 812…, 62812…); wa.me wants the
international form, digits only: 6281234567890."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

WA_ME = "https://wa.me/"


def whatsapp_number(phone: str) -> str:
    """The number in the international form wa.me reads (08… → 628…), or "" when it is not a number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if digits.startswith("62") and 9 <= len(digits) <= 15 else ""


def whatsapp_url(phone: str, text: str = "") -> str:
    """The click-to-chat link with `text` prefilled (url-encoded), or "" when the phone is unusable."""
    number = whatsapp_number(phone)
    if not number:
        return ""
    return f"{WA_ME}{number}" + (f"?text={quote(text, safe='')}" if text else "")


def whatsapp_message(purpose: str, **names: str) -> str:
    """The prefilled message, in the app's language (Indonesian): it is read by the desa, whatever
    language the staff member browses in."""
    with translation.override(settings.LANGUAGE_CODE):
        if purpose == "village_head":
            return (
                _(
                    "Dear Kepala Desa %(village)s, this is about the BPJS registration of the officials of "
                    "your desa in Desa Jaminan."
                )
                % names
            )
        return _("Dear %(name)s, this is about your BPJS registration as an official in Desa Jaminan.") % names
