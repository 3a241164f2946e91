"""The live-view MJPEG stream of one viewer (no Flask here; routes/cameras.py wraps it).

Each viewer only waits on the camera reader's fan-out and sends the shared JPEG of each new frame
(encoded once per frame, whatever the number of viewers). Closing the generator releases the
viewer, which lets the reader stop decoding when it was the last one.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

from config.cameras import CameraSettings
from .reader import CameraReader
from .thumbnails import offline_card

BOUNDARY = "frame"
MIMETYPE = f"multipart/x-mixed-replace; boundary={BOUNDARY}"


def part(jpeg: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
        + jpeg
        + b"\r\n"
    )


def mjpeg_stream(
    get_reader: Callable[[], CameraReader | None],
    settings: CameraSettings,
    *,
    fps: float | None = None,
    max_seconds: float | None = 3600.0,
    on_frame: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """Multipart JPEG parts for one viewer until the client leaves, the camera is removed or
    max_seconds pass. While no frame comes, an OFFLINE card is sent every couple of seconds."""
    reader = get_reader()
    if reader is None:
        return
    viewer = reader.open_viewer()
    rate = min(fps or settings.live_max_fps, settings.live_max_fps)
    min_interval = 1.0 / rate if rate > 0 else 0.0
    deadline = time.monotonic() + max_seconds if max_seconds else None
    last_sent = 0.0
    last_card = 0.0
    try:
        while deadline is None or time.monotonic() < deadline:
            frame = viewer.next_frame(timeout=1.0)
            if frame is None:
                if not reader.alive:  # camera edited (new reader) or removed
                    new = get_reader()
                    if new is None or new is reader:
                        return
                    viewer.close()
                    reader, viewer = new, new.open_viewer()
                    continue
                latest = reader.latest()
                stale = latest is None or time.time() - latest.ts > settings.stall_after_s
                if stale and time.monotonic() - last_card >= 2.0:
                    last_card = time.monotonic()
                    yield part(offline_card(reader.spec.name, latest.ts if latest else None, width=480))
                continue
            wait = last_sent + min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # throttle: frames in between are skipped, not queued
                newest = reader.latest()
                if newest is not None and newest.seq > frame.seq:
                    frame = newest
                    viewer.last_seq = newest.seq
            last_sent = time.monotonic()
            data = frame.jpeg(settings.live_quality)
            if on_frame is not None:
                on_frame(len(data))
            yield part(data)
    finally:
        viewer.close()
