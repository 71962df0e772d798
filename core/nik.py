"""NIK (Nomor Induk Kependudukan): structure checks, encryption at rest, keyed hash, masking.

The NIK is personal data under UU PDP 27/2022, so it is stored only encrypted (Fernet) with an HMAC
beside it for look-ups and duplicate checks. Rules: ../shared/domain/rules.md §5, via lokal-id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _
from lokal import parse_nik

from core.models import Province

_NON_DIGITS = re.compile(r"[\s.\-]")


@dataclass
class NikCheck:
    nik: str | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sex: str | None = None
    birth_date: dt.date | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


def _messages() -> dict[str, str]:
    return {
        "format": _("NIK must be exactly 16 digits."),
        "province": _("The province code in the NIK (digits 1–2) is not a known province."),
        "wilayah": _("The regency and subdistrict codes in the NIK (digits 3–6) may not be 00."),
        "birth_date": _("The birth date in the NIK (digits 7–12) is not a real date."),
        "serial": _("The serial number in the NIK (digits 13–16) may not be 0000."),
    }


def check_nik(
    raw: str,
    *,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    today: dt.date | None = None,
) -> NikCheck:
    """Structure errors make a NIK unusable; a mismatch with the recorded sex or birth date is only a
    warning, because a NIK is for life and is not reissued when a birth date is corrected."""
    today = today or dt.date.today()
    info = parse_nik(str(raw or ""), reference_date=dt.date(today.year - 18, 12, 31))
    messages = _messages()
    result = NikCheck(nik=info.nik)
    issues = info.errors
    if any(issue.code == "province" for issue in issues) and Province.objects.filter(pk=info.nik[:2]).exists():
        # lokal-id knows the Kemendagri provinces as of its release; a province added to the region
        # table since (core.Province, kept by the region import) is a known province too.
        issues = [issue for issue in issues if issue.code != "province"]
    result.errors = [messages.get(issue.code, issue.message) for issue in issues]
    if info.birth_date:
        result.birth_date = dt.date.fromisoformat(info.birth_date)
        result.sex = info.gender
    if result.valid:
        if sex and result.sex and sex != result.sex:
            result.warnings.append(
                _("The NIK encodes sex %(nik_sex)s but the recorded sex is %(sex)s.")
                % {"nik_sex": result.sex, "sex": sex}
            )
        if birth_date and result.birth_date and birth_date != result.birth_date:
            result.warnings.append(
                _("The NIK encodes birth date %(nik_date)s but the recorded birth date is %(date)s.")
                % {"nik_date": result.birth_date.strftime("%d-%m-%Y"), "date": birth_date.strftime("%d-%m-%Y")}
            )
    return result


def normalize_nik(raw: str) -> str:
    return _NON_DIGITS.sub("", str(raw or ""))


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys])


def encrypt_nik(nik: str) -> str:
    return _fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).encrypt(nik.encode()).decode()


def decrypt_nik(token: str) -> str:
    try:
        return _fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def encrypt_bytes(data: bytes) -> bytes:
    """A file that holds NIKs, encrypted like a NIK (for a cache that must not hold them in clear)."""
    return _fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes | None:
    """`encrypt_bytes` undone; None when the keys no longer open it."""
    try:
        return _fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).decrypt(token)
    except InvalidToken:
        return None


def decrypter() -> Callable[[str], str]:
    """decrypt_nik for many NIKs in a loop (an export): the keys looked up once; "" for a bad token."""
    fernet = _fernet(tuple(settings.NIK_ENCRYPTION_KEYS))

    def decrypt(token: str) -> str:
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return ""

    return decrypt


def hash_nik(nik: str) -> str:
    return hmac.new(settings.NIK_HASH_KEY.encode(), normalize_nik(nik).encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """1706015505900001 → 1706••••••••••••: the regency the NIK was issued in, nothing more. Digits 5–12
    (kecamatan, birth date with +40 for women) are what a page shows beside the NIK as desa, birth date
    and sex, so showing the last four would give the whole NIK back; hiding them all leaves no way to
    rebuild it from what the same viewer sees."""
    if len(nik) != 16:
        return "•" * 16
    return f"{nik[:4]}{'•' * 12}"
