"""The shared upload checks: size, type by content, zip traversal and zip bombs."""
from __future__ import annotations

import base64
import io
import zipfile

import pytest

from uploads import UploadRejected, check_upload, decode_data_url, open_zip, read_member, sniff
from tests.helpers.archives import zip_bytes


def test_type_is_told_by_content_not_name():
    assert sniff(b"gauge,time,level_cm\nWBM-1,2026-01-01T00:00,120\n") == "text"
    assert sniff(b' {"type": "FeatureCollection"}') == "json"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png" and sniff(zip_bytes({"a.csv": b"x"})) == "zip"
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None  # a Windows program renamed to .csv
    assert check_upload(b"a,b\n1,2\n", {"csv"}, 100) == "text"
    with pytest.raises(UploadRejected, match="accepted: csv"):
        check_upload(b"\x89PNG\r\n\x1a\nxxxx", {"csv"}, 100)
    with pytest.raises(UploadRejected, match="at most 10 bytes"):
        check_upload(b"a,b\n1,2\n3,4\n", {"csv"}, 10)
    with pytest.raises(UploadRejected, match="empty"):
        check_upload(b"", {"csv"}, 10)


def test_data_urls_are_size_checked_before_decoding():
    payload = base64.b64encode(b"a,b\n1,2\n").decode()
    assert decode_data_url(f"data:text/csv;base64,{payload}", 100) == b"a,b\n1,2\n"
    with pytest.raises(UploadRejected, match="over 4 bytes"):
        decode_data_url(f"data:text/csv;base64,{payload}", 4)
    for bad in ("", "hello", "data:text/csv;base64,@@@@"):
        with pytest.raises(UploadRejected):
            decode_data_url(bad, 100)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "ok/../../x.csv", "..\\..\\win.ini", "C:/x.csv"])
def test_zip_members_may_not_leave_the_folder(name):
    with pytest.raises(UploadRejected, match="outside the target folder"):
        open_zip(zip_bytes({name: b"x"}))


def test_zip_bombs_are_refused():
    with pytest.raises(UploadRejected, match="zip bomb"):
        open_zip(zip_bytes({"zeros.csv": b"0" * 20_000_000}))
    with pytest.raises(UploadRejected, match="expands to over"):
        open_zip(zip_bytes({f"{i}.csv": bytes(range(256)) * 400 for i in range(3)}), max_unzipped_bytes=200_000)
    with pytest.raises(UploadRejected, match="holds 3 files"):
        open_zip(zip_bytes({f"{i}.csv": b"x" for i in range(3)}), max_members=2)


def test_members_are_read_with_a_cap_even_when_the_header_lies():
    archive = open_zip(zip_bytes({"a.csv": b"x" * 5000}))
    assert read_member(archive, "a.csv") == b"x" * 5000
    with pytest.raises(UploadRejected, match="over 100 bytes"):
        read_member(archive, "a.csv", max_bytes=100)
    data = bytearray(zip_bytes({"a.csv": b"x" * 5000}))
    for header, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # claim 100 bytes in both headers
        at = data.index(header) + size_at
        data[at:at + 4] = (100).to_bytes(4, "little")
    with pytest.raises(UploadRejected, match="damaged"):
        read_member(open_zip(bytes(data)), "a.csv")


def test_symlinks_and_garbage_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(UploadRejected, match="symbolic link"):
        open_zip(buffer.getvalue())
    with pytest.raises(UploadRejected, match="not a readable zip"):
        open_zip(b"PK\x03\x04 not really")
