"""Reading the xlsx files the app writes, in tests (no tests of its own).

Every sheet the one writer (core.spreadsheets.writer) produces has a title row above its header:
`table_rows` checks it is there and returns the header and the data rows below it."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook


def download_bytes(response) -> bytes:
    """The bytes of a download, whether it was sent whole or streamed (the long lists); a streamed one is
    kept on the response, to be read again."""
    if not getattr(response, "streaming", False):
        return response.content
    if not hasattr(response, "downloaded"):
        response.downloaded = b"".join(response.streaming_content)
    return response.downloaded


def all_rows(content: bytes, *, sheet: int = 0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[sheet].iter_rows(values_only=True))


def table_rows(content: bytes, *, sheet: int = 0) -> list[tuple]:
    """The header row and the rows below it; the title row above is checked, then left out."""
    title, *rows = all_rows(content, sheet=sheet)
    assert title[0] and all(v is None for v in title[1:]), f"no title row: {title}"
    return rows


def title_of(content: bytes, *, sheet: int = 0) -> str:
    return all_rows(content, sheet=sheet)[0][0]


def sheet_xml(content: bytes) -> str:
    """The XML of every worksheet of the file, as Excel reads it."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml", name)
        )
