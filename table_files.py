"""The one reader of tables people bring, CSV or XLSX: the layer import (through geo.reader), the
SP4N-LAPOR import and the tax returns all read their files here, as text under one header.

CSV: UTF-8 (with or without a byte-order mark) or Windows-1252 (a spreadsheet's export), separated by
comma, semicolon, tab or bar, whichever the header line holds most of. XLSX: the first sheet with
data; a title row above the header and header cells merged over several columns or rows (a
"Koordinat" band over "Lintang" and "Bujur") give one name per column. A workbook is a zip archive:
it passes :func:`uploads.open_zip` (zip bombs, unsafe member names) before openpyxl opens it.

Every cell comes back as text, "" when empty (a spreadsheet's number 50000000 as "50000000", a date as
"2026-11-10 00:00:00"); the callers parse what they need. Every refusal is a :class:`TableRefused`.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from uploads import UploadRejected, open_zip, sniff

MAX_WORKBOOK_MEMBERS = 50
MAX_WORKBOOK_BYTES = 200 * 1024 * 1024
MAX_WORKBOOK_RATIO = 100
HEADER_SEARCH_ROWS = 20
"""A workbook's header is the first row, among its first 20, with two or more filled cells."""


class TableRefused(ValueError):
    """A file that is not a readable table. ``code``: not_table (neither CSV nor XLSX), unreadable (a
    damaged CSV or workbook), no_header (a sheet without a header row), unsafe_zip or zip_bomb (a
    workbook refused by the zip checks)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    """Every cell as text ("" when empty); the columns as the file names them."""
    kind: str
    """"csv" or "xlsx"."""
    header_line: int
    """The file line of the (last) header row, from 1: data row i is line header_line + 1 + i."""


def read_table(data: bytes) -> Table:
    """The table in ``data``, CSV or XLSX, told apart by content."""
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    return read_csv(data)


def read_csv(data: bytes) -> Table:
    kind = sniff(data)
    if kind not in ("text", "json", None) or b"\x00" in data or not data.strip():
        raise TableRefused("not_table", f"file content is {kind or 'not text'}, not a CSV table")
    text = data.decode("utf-8-sig") if kind else data.decode("cp1252", errors="replace")
    header = text.split("\n", 1)[0]
    separator = max((";", ",", "\t", "|"), key=header.count) if any(s in header for s in ";,\t|") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as error:
        raise TableRefused("unreadable", f"cannot be read as CSV: {str(error).splitlines()[0]}") from None
    return Table(frame, "csv", 1)


def read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        archive = open_zip(data, max_members=MAX_WORKBOOK_MEMBERS, max_unzipped_bytes=MAX_WORKBOOK_BYTES, max_ratio=MAX_WORKBOOK_RATIO)
    except UploadRejected as rejected:
        code = rejected.code if rejected.code in ("unsafe_zip", "zip_bomb") else "unreadable"
        raise TableRefused(code, str(rejected)) from None
    if "xl/workbook.xml" not in archive.namelist():
        raise TableRefused("not_table", "a zip archive that is not an XLSX workbook")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # noqa: BLE001 - a damaged workbook, in openpyxl's many ways
        raise TableRefused("unreadable", f"cannot be read as XLSX: {error}") from None
    sheet = next((s for s in book.worksheets if s.max_row > 1), book.worksheets[0])
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = cells[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                cells[r][c] = value
    header = next((i for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]) if len({v for v in row if v not in (None, "")}) > 1), None)
    if header is None:
        raise TableRefused("no_header", "the sheet has no header row")
    last = header
    for merged in sheet.merged_cells.ranges:
        if merged.min_row - 1 == header:
            # a header cell spanning rows, or a group header over sub-headers in the next row
            last = max(last, merged.max_row - 1, header + 1 if merged.max_col > merged.min_col else header)
    band = cells[header:last + 1]
    width = max(len(row) for row in cells)
    names = []
    for col in range(width):
        parts = []
        for row in band:
            value = row[col] if col < len(row) else None
            if value not in (None, "") and str(value).strip() not in parts:
                parts.append(str(value).strip())
        names.append(" ".join(parts) or f"kolom_{col + 1}")
    names = [name if names.count(name) == 1 else f"{name}_{i + 1}" for i, name in enumerate(names)]
    rows = [[("" if v is None else str(v)) for v in row] + [""] * (width - len(row)) for row in cells[last + 1:]]
    return Table(pd.DataFrame(rows, columns=names, dtype=str), "xlsx", last + 1)
