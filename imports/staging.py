"""Uploaded files kept on the server between the preview and the commit, under a random token, so
the commit reads the same bytes again and trusts nothing the browser sends back but its choices."""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_S = 24 * 3600
"""Staged files older than this are removed when the next one is staged (seconds)."""


def stage(folder: Path, data: bytes, who: dict) -> str:
    """Keep ``data`` and ``who`` staged it (user name and address, for the audit log of a commit
    that runs as a background job, outside the request); its token."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in [*folder.glob("*.upload"), *folder.glob("*.who")]:
        if now - old.stat().st_mtime > KEEP_S:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.upload").write_bytes(data)
    (folder / f"{token}.who").write_text(json.dumps(who))
    return token


def staged_by(folder: Path, token: object) -> dict:
    """Who staged the file under ``token`` (empty for an unknown token)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or not (folder / f"{token}.who").is_file():
        return {}
    return json.loads((folder / f"{token}.who").read_text())


def staged(folder: Path, token: object) -> bytes | None:
    """The bytes kept under ``token``; None for an unknown or malformed token."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    path = folder / f"{token}.upload"
    return path.read_bytes() if path.is_file() else None
