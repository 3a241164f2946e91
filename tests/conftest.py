"""Shared fixtures for the camera tests: real servers, real files, real decoding."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cameras import CameraSettings  # noqa: E402
from tests.helpers.mjpeg_server import MjpegServer  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"
RTSP_HELPER = ROOT / "tests" / "helpers" / "rtsp_server.py"


def wait_until(pred, timeout: float = 5.0, interval: float = 0.02, message: str = "condition"):
    """Poll pred() until truthy; fail with `message` after timeout. Returns pred()'s value."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


@pytest.fixture
def settings(tmp_path: Path) -> CameraSettings:
    """Timings shrunk so that every failure path shows within a second or two."""
    return CameraSettings(
        thumbnail_period_s=0.3,
        offline_after_s=2.0,
        stall_after_s=0.8,
        min_fps=1.0,
        degraded_window_s=0.5,
        open_timeout_s=2.0,
        read_timeout_s=0.8,
        backoff_base_s=0.05,
        backoff_max_s=0.3,
        keep_open_s=1.0,
        health_publish_s=0.1,
        sync_interval_s=0,
        media_root=tmp_path,
        snapshot_dir=tmp_path / "snapshots",
    )


@pytest.fixture
def mjpeg_server():
    with MjpegServer() as srv:
        yield srv


@pytest.fixture
def refused_url() -> str:
    """An http URL on a loopback port nobody listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/video.mjpg"


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    """A short MJPG/AVI clip written with OpenCV (high fps so looping shows quickly)."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 100.0, (160, 120))
    assert writer.isOpened(), "OpenCV cannot write MJPG/AVI"
    for i in range(20):
        img = np.full((120, 160, 3), (i * 12) % 255, np.uint8)
        cv2.putText(img, str(i), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 0, 0), 2)
        writer.write(img)
    writer.release()
    assert path.stat().st_size > 0
    return path


@pytest.fixture
def not_video_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("this is a text file, not a video\n" * 50)
    return path


def _rtsp_available() -> str | None:
    """None when the RTSP test server can run, else the reason it cannot."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0'); "
         "from gi.repository import GstRtspServer"],
        capture_output=True, text=True, timeout=30,
    )
    if probe.returncode != 0:
        return ("Debian packages gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good are "
                f"needed for the RTSP test server ({probe.stderr.strip().splitlines()[-1:]})")
    return None


@pytest.fixture(scope="session")
def rtsp_url():
    """rtsp://127.0.0.1:<port>/cam from a real GStreamer RTSP server (subprocess, Debian python)."""
    reason = _rtsp_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"RTSP server unavailable in CI: {reason}")
        pytest.skip(reason)
    proc = subprocess.Popen(
        [SYSTEM_PYTHON, str(RTSP_HELPER)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    port: list[int] = []

    def read_port() -> None:
        line = proc.stdout.readline()
        if line.startswith("PORT "):
            port.append(int(line.split()[1]))

    t = threading.Thread(target=read_port, daemon=True)
    t.start()
    t.join(20)
    if not port:
        proc.kill()
        proc.wait(5)
        pytest.fail("RTSP test server did not start")
    try:
        yield f"rtsp://127.0.0.1:{port[0]}/cam"
    finally:
        proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("camera-")]


@pytest.fixture(autouse=True)
def no_camera_thread_left_behind():
    yield
    wait_until(lambda: not camera_threads(), timeout=5, message="camera threads to end")


def decode(jpeg: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None, "not a decodable JPEG"
    return img


def has_chromium() -> bool:
    return shutil.which("chromium") is not None
