"""Evidence snapshots: the current frame stored as a JPEG with camera and time (and a SHA-256).

Layout: <snapshot_dir>/<camera uid>/<YYYYmmdd-HHMMSS-mmm>_cam<id>.jpg plus a .json sidecar holding
the record, so a file handed to the police can be matched to its camera, time and checksum. The
folder is the camera's permanent identity (`CameraSpec.uid`), not its id, which the store can give
again to a new camera: a deleted camera's evidence stays in its folder, reachable by admins only
(routes.cameras "archive"), and never shows under the camera that took its id.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from config.cameras import CameraSpec
from .sources import WIT
from .thumbnails import encode_jpeg

_NAME = re.compile(r"\d{8}-\d{6}-\d{3}_cam\d+(_\d+)?\.jpg")
_FOLDER = re.compile(r"[0-9a-f]{32}|\d+")


def folder_key(spec: CameraSpec) -> str:
    """The folder of a camera's snapshots: its uid (its id only for cameras that have none, outside the store)."""
    return spec.uid or str(spec.id)


@dataclass(frozen=True)
class SnapshotRecord:
    camera_id: int
    camera_name: str
    taken_at: float  # capture time of the frame, unix s
    taken_at_wit: str
    filename: str
    path: str
    width: int
    height: int
    bytes: int
    sha256: str
    camera_uid: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class SnapshotStore:
    def __init__(self, directory: str | os.PathLike, quality: int = 92):
        self.directory = Path(directory)
        self.quality = quality

    def save(self, spec: CameraSpec, image, taken_at: float) -> SnapshotRecord:
        data = encode_jpeg(image, self.quality)
        when = datetime.fromtimestamp(taken_at, WIT)
        folder = self.directory / folder_key(spec)
        folder.mkdir(parents=True, exist_ok=True)
        base = f"{when:%Y%m%d-%H%M%S}-{when.microsecond // 1000:03d}_cam{spec.id}"
        path = folder / f"{base}.jpg"
        n = 1
        while path.exists():  # two snapshots of the same frame millisecond: keep both
            path = folder / f"{base}_{n}.jpg"
            n += 1
        record = SnapshotRecord(
            camera_id=spec.id,
            camera_name=spec.name,
            taken_at=taken_at,
            taken_at_wit=when.isoformat(timespec="milliseconds"),
            filename=path.name,
            path=str(path),
            width=int(image.shape[1]),
            height=int(image.shape[0]),
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            camera_uid=spec.uid,
        )
        _atomic_write(path, data)
        _atomic_write(path.with_suffix(".json"), json.dumps(record.to_dict(), indent=1).encode())
        return record

    def list(self, key: str) -> list[SnapshotRecord]:
        """The snapshots filed under `key` (a camera's `folder_key`), oldest first."""
        if not _FOLDER.fullmatch(str(key)):
            return []
        folder = self.directory / str(key)
        out = []
        for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                out.append(SnapshotRecord(**json.loads(meta.read_text())))
            except (ValueError, TypeError):
                continue
        return out

    def file(self, key: str, filename: str) -> Path | None:
        """The stored JPEG under `key`, or None; key and filename must be ones this store wrote (no path tricks)."""
        if not _FOLDER.fullmatch(str(key)) or not _NAME.fullmatch(filename):
            return None
        p = self.directory / str(key) / filename
        return p if p.is_file() else None


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
