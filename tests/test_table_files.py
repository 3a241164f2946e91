"""The one table reader (table_files) and the imports that read through it: the SP4N-LAPOR import,
the tax returns and transactions, the layer import."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from complaints.sp4n_import import ImportRefused, import_sp4n
from geo.reader import ImportRefused as LayerRefused
from geo.reader import read_bytes
from store.models import Complaint
from table_files import TableRefused, read_table
from tax.ingest import RETURN_COLUMNS, TRANSACTION_COLUMNS, rows_from_file

NOW = datetime(2026, 11, 30, 3, 0)


def _workbook(*rows, merge: str | None = None) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bomb_workbook() -> bytes:
    """A real workbook with one more member that inflates 2 MiB of zeros from a few kilobytes."""
    buffer = io.BytesIO(_workbook(["a", "b"], ["1", "2"]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (2 * 1024 * 1024))
    return buffer.getvalue()


def test_cells_come_as_text_under_the_header_below_a_title_row():
    data = _workbook(["Setoran pajak restoran, Oktober 2026"], ["NPWPD", "Month", "Turnover_IDR", "Tax_Paid_IDR", "Paid_On"],
                     ["P1", "2026-10", 50_000_000, 5_000_000.5, datetime(2026, 11, 10)], [None, None, None, None, None],
                     merge="A1:E1")
    table = read_table(data)
    assert (table.kind, table.header_line) == ("xlsx", 2)
    assert list(table.frame.columns) == ["NPWPD", "Month", "Turnover_IDR", "Tax_Paid_IDR", "Paid_On"]
    assert table.frame.iloc[0].tolist() == ["P1", "2026-10", "50000000", "5000000.5", "2026-11-10 00:00:00"]
    assert rows_from_file(data, RETURN_COLUMNS) == [
        {"npwpd": "P1", "month": "2026-10", "turnover_idr": "50000000", "tax_paid_idr": "5000000.5", "paid_on": "2026-11-10 00:00:00"}]


def test_csv_in_windows_1252_with_semicolons_and_files_that_are_no_table():
    table = read_table("perangkat;nota\nTB-1;Kafé 1\n".encode("cp1252"))
    assert (table.kind, table.header_line, table.frame.iloc[0].tolist()) == ("csv", 1, ["TB-1", "Kafé 1"])
    for data, code in ((b"\x89PNG\r\n\x1a\n....", "not_table"), (b"a,b\x00\n1,2\n", "not_table"),
                       (b"PK\x03\x04 not a zip", "unreadable"), (_bomb_workbook(), "zip_bomb")):
        with pytest.raises(TableRefused) as refused:
            read_table(data)
        assert refused.value.code == code


def test_a_zip_bomb_workbook_is_refused_by_every_import_and_stores_nothing(engine):
    bomb = _bomb_workbook()
    with pytest.raises(ImportRefused) as refused:
        import_sp4n(engine, bomb, actor="operator", now=NOW)
    assert refused.value.code == "unsafe"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Complaint)).scalar() == 0
    for columns in (RETURN_COLUMNS, TRANSACTION_COLUMNS):
        with pytest.raises(TableRefused):
            rows_from_file(bomb, columns)
    with pytest.raises(LayerRefused) as refused:
        read_bytes(bomb)
    assert refused.value.code == "zip_bomb"


def test_an_sp4n_workbook_with_a_title_row_reports_the_lines_a_person_sees(engine):
    data = _workbook(["Ekspor SP4N-LAPOR Kota Ambon"],
                     ["Nomor Tracking", "Tanggal", "Isi Laporan", "Kategori", "Latitude", "Longitude"],
                     ["LAP-T1", datetime(2026, 11, 29, 10, 0), "Lampu jalan mati", "lalu lintas", -3.70, 128.18],
                     ["LAP-T2", "bukan tanggal", "x", "sampah", -3.70, 128.18])
    report = import_sp4n(engine, data, actor="operator", now=NOW)
    assert [(line["row"], line["ticket"], line["outcome"]) for line in report.lines] == [
        (3, "LAP-T1", "taken"), (4, "LAP-T2", "refused")]


def test_tapping_box_transactions_come_from_a_workbook_too():
    data = _workbook(["Device", "Receipt", "Time", "Amount"], ["TB-1", "N-1", "2026-11-29 10:00", 125_000])
    assert rows_from_file(data, TRANSACTION_COLUMNS) == [{"device": "TB-1", "receipt": "N-1", "time": "2026-11-29 10:00", "amount": "125000"}]
    assert rows_from_file(b"device,receipt,time,amount\nTB-1,N-1,2026-11-29 10:00,125000\n,,,\n", TRANSACTION_COLUMNS) == [
        {"device": "TB-1", "receipt": "N-1", "time": "2026-11-29 10:00", "amount": "125000"}]
