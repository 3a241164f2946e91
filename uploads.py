"""Checks every uploaded file passes before anything parses it: size, type by content (never by the
name or the browser's content type), and for zip archives path traversal and zip bombs.

    from uploads import check_upload, decode_data_url, open_zip, read_member
    data = decode_data_url(contents, max_bytes=10_000_000)   # dcc.Upload's "data:...;base64,..."
    kind = check_upload(data, {"csv", "zip"}, max_bytes=10_000_000)
    if kind == "zip":
        archive = open_zip(data)                             # every member checked
        text = read_member(archive, "gauges.csv")            # read with a hard cap

Every failure raises UploadRejected with a message fit to show the user.
"""
from __future__ import annotations

import base64
import binascii
import io
import stat
import zipfile
from pathlib import PurePosixPath

MAX_ZIP_MEMBERS = 1000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
"""Real data (CSV, GeoJSON, shapefiles) compresses 5 to 20 times; a bomb, thousands of times."""

MAGIC = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"), (b"\x1f\x8b", "gzip"),
)


class UploadRejected(ValueError):
    """An upload that is refused; the message says why, `code` what kind of refusal it is (for pages
    that explain it in the user's language): not_upload, too_large, not_base64, empty, unknown_type,
    unreadable_zip, unsafe_zip, zip_bomb, damaged."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def sniff(data: bytes) -> str | None:
    """What `data` is by its first bytes: zip, png, jpeg, gif, pdf, gzip, json (UTF-8 text starting
    with { or [), text (other UTF-8 text without NUL bytes); None when unknown."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return "json" if text.lstrip()[:1] in ("{", "[") else "text"


def check_upload(data: bytes, allowed: set[str] | frozenset[str], max_bytes: int) -> str:
    """The kind of `data` (see sniff) when it is allowed and not over max_bytes. "csv" and
    "geojson" in `allowed` accept text and json content."""
    if len(data) > max_bytes:
        raise UploadRejected("too_large", f"file is {len(data):,} bytes; at most {max_bytes:,} bytes are accepted")
    if not data:
        raise UploadRejected("empty", "file is empty")
    kind = sniff(data)
    accepted = set(allowed) | ({"text"} if "csv" in allowed else set()) | ({"json"} if "geojson" in allowed else set())
    if kind is None or kind not in accepted:
        raise UploadRejected("unknown_type", f"file content is {kind or 'of an unknown type'}; accepted: {', '.join(sorted(allowed))}")
    return kind


def decode_data_url(contents: str, max_bytes: int) -> bytes:
    """The bytes of a `data:<type>;base64,<data>` URL (what dcc.Upload gives), refused before decoding
    when it would be over max_bytes."""
    head, sep, payload = (contents or "").partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise UploadRejected("not_upload", "not an uploaded file")
    if len(payload) * 3 // 4 > max_bytes + 2:
        raise UploadRejected("too_large", f"file is over {max_bytes:,} bytes")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise UploadRejected("not_base64", "upload is damaged (bad base64)") from None


def _safe_member_name(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in PurePosixPath(name.replace("\\", "/")).parts


def open_zip(data: bytes, *, max_members: int = MAX_ZIP_MEMBERS, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
             max_ratio: int = MAX_COMPRESSION_RATIO) -> zipfile.ZipFile:
    """The archive, after checking every member: a safe relative name (no absolute path, drive or
    `..`), no symbolic link, not encrypted, and sizes that are no bomb. The sizes in the directory
    can lie, so read members with `read_member`, which stops at the declared size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UploadRejected("unreadable_zip", f"not a readable zip file ({exc})") from None
    members = archive.infolist()
    if len(members) > max_members:
        raise UploadRejected("zip_bomb", f"zip holds {len(members):,} files; at most {max_members:,} are accepted")
    total = 0
    for info in members:
        if not _safe_member_name(info.filename):
            raise UploadRejected("unsafe_zip", f"zip member {info.filename!r} would land outside the target folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadRejected("unsafe_zip", f"zip member {info.filename!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise UploadRejected("unsafe_zip", f"zip member {info.filename!r} is encrypted")
        if info.file_size > max_ratio * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise UploadRejected("zip_bomb", f"zip member {info.filename!r} expands {info.file_size // max(info.compress_size, 1):,} times: "
                                             "refused as a zip bomb")
        total += info.file_size
        if total > max_unzipped_bytes:
            raise UploadRejected("zip_bomb", f"zip expands to over {max_unzipped_bytes:,} bytes")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, max_bytes: int = MAX_UNZIPPED_BYTES) -> bytes:
    """One member's bytes, refusing to read past its declared size or max_bytes (a lying header)."""
    info = archive.getinfo(name)
    limit = min(info.file_size, max_bytes)
    if info.file_size > max_bytes:
        raise UploadRejected("zip_bomb", f"zip member {name!r} is over {max_bytes:,} bytes")
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a header that lies fails the CRC check
        raise UploadRejected("damaged", f"zip member {name!r} is damaged ({exc})") from None
    if len(data) > limit:
        raise UploadRejected("zip_bomb", f"zip member {name!r} is larger than its header says")
    return data
