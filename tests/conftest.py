"""Shared fixtures: store engines on SQLite and PostgreSQL, the demo city, the running app, a browser,
and for the camera tests real servers, real files, real decoding."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cameras import CameraSettings  # noqa: E402
from store.db import create_schema, make_engine  # noqa: E402
from store.scratch import ADMIN_URL, scratch_database  # noqa: E402
from tests.helpers.clips import write_h264  # noqa: E402
from tests.helpers.mjpeg_server import MjpegServer  # noqa: E402

def _one_ast_parse_at_a_time() -> None:
    """CPython 3.11 keeps the AST builder's recursion count per interpreter, not per thread
    (python/cpython#106905): an `ast.parse` on one thread while another thread runs one (3.11's
    `traceback` parses each line it underlines, so any thread logging an exception does) can raise
    "SystemError: AST constructor recursion depth mismatch". When that thread is pytest's own,
    reporting a failure, the whole run ends in an INTERNALERROR. Serialise the calls."""
    import ast

    if sys.version_info >= (3, 12) or getattr(ast.parse, "serialised", False):
        return
    parse, lock = ast.parse, threading.Lock()

    def serialised_parse(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)
    serialised_parse.serialised = True
    ast.parse = serialised_parse


_one_ast_parse_at_a_time()

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", ADMIN_URL)
SYSTEM_PYTHON = "/usr/bin/python3"
RTSP_HELPER = ROOT / "tests" / "helpers" / "rtsp_server.py"
SHARED_GEODATA = ROOT.parent / "shared" / "geodata"
IN_CI = os.environ.get("CI") == "true"


def _postgres_answers() -> bool:
    try:
        with create_engine(POSTGRES_ADMIN_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return False


@contextlib.contextmanager
def fresh_postgres_database():
    """A new, uniquely named PostgreSQL database (its URL), dropped afterwards. Skips without a
    server, except in CI, where PostgreSQL must answer."""
    if not _postgres_answers():
        if IN_CI:
            pytest.fail(f"PostgreSQL must answer at {POSTGRES_ADMIN_URL} in CI")
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_ADMIN_URL}")
    with scratch_database("ambon_test", admin_url=POSTGRES_ADMIN_URL) as url:
        yield url


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL) -> str:
    """`url` when a Redis server answers there; otherwise skip the test, except in CI, where Redis
    must answer (the scaled-out path is tested for real)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis must answer at {url} in CI")
        pytest.skip(f"no Redis answers at {url}")
    return url


_apps_of_this_module: list = []


_demo_store: list[Path] = []


def with_demo_store(instance: Path) -> None:
    """Put a copy of a SQLite store holding the demo city in `instance` unless it has a store: the app
    then finds it seeded and goes on with its start as usual. Seeding costs about 13 CPU s, here paid
    once per test process (each xdist worker) instead of once per app; first-start seeding itself is
    tested in tests/test_demo.py and, on PostgreSQL and two workers, tests/test_scale_out.py."""
    target = instance / "ambon.db"
    if target.exists():
        return
    if not _demo_store:
        from demo.seed import seed_if_empty
        from store.db import upgrade_schema

        folder = Path(tempfile.mkdtemp(prefix="ambon-demo-store-"))
        engine = make_engine(f"sqlite:///{folder / 'ambon.db'}")
        upgrade_schema(engine)
        seed_if_empty(engine)
        engine.dispose()
        _demo_store.append(folder / "ambon.db")
    instance.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_demo_store[0], target)


def build_app(settings):
    """`create_app(settings)`, shut down when the test module ends: its background loops must not
    outlive the database they write to. A test that drops its database first calls `app.shutdown()`."""
    from command_center import create_app

    if settings.demo_data and settings.database_url == f"sqlite:///{settings.instance_dir / 'ambon.db'}":
        with_demo_store(settings.instance_dir)
    app = create_app(settings)
    _apps_of_this_module.append(app)
    return app


@pytest.fixture(autouse=True, scope="module")
def apps_stop_with_their_module():
    yield
    while _apps_of_this_module:
        _apps_of_this_module.pop().shutdown()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """An empty store with the schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = make_engine(url)
    create_schema(eng)
    yield eng
    if request.param == "postgresql":
        from store.models import Base

        Base.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture(scope="session")
def demo_city():
    from demo.generator import build_demo_city

    return build_demo_city()


@pytest.fixture
def shared_geodata() -> Path:
    if not SHARED_GEODATA.is_dir():
        pytest.skip(f"real Ambon geodata not found at {SHARED_GEODATA} (only present in development and CI)")
    return SHARED_GEODATA


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(instance: Path, gunicorn_workers: int | None = None, **env_overrides: str):
    """`python app.py` as the README starts it (or `gunicorn -w N app:server` as the README scales
    it out), on `instance`; yields its base URL, stops it after."""
    port = _free_port()
    env = {**os.environ, "INSTANCE_DIR": str(instance), "PORT": str(port), "TILE_URL": "", **env_overrides}
    if "DATABASE_URL" not in env and env.get("DEMO_DATA", "1") == "1":
        with_demo_store(instance)
    command = [sys.executable, "app.py"] if gunicorn_workers is None else [
        sys.executable, "-m", "gunicorn", "-w", str(gunicorn_workers), "--threads", "8", "-b", f"127.0.0.1:{port}", "app:server"]
    log = open(instance / "app.log", "w")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a first start seeds the whole demo city: slow on a busy machine
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited early: {(instance / 'app.log').read_text()}")
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("app did not answer within 300 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_instance(tmp_path_factory) -> Path:
    """The instance folder of `live_app` (its SQLite store is `ambon.db` there)."""
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def live_app(live_instance):
    """The app started as the README starts it (`python app.py`), on a fresh instance folder, in
    demo mode (demo users exist; log in with `login`).

    Tiles are switched off (TILE_URL=""): this machine has no internet, and a test that asserts
    a clean browser console must not count failed tile downloads.
    """
    with serve_app(live_instance) as base:
        yield base


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that records console errors and uncaught exceptions in `page.errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


DEMO_PASSWORD = "demo"


def login(page, base: str, role: str = "operator") -> None:
    """Log the browser `page` in to the app at `base` as the demo user of `role` and wait until the
    app frame shows who is logged in. Every page of the app needs a login, so call it first:

        def test_something(page, live_app):
            login(page, live_app, "bpbd")       # admin, operator, planner, bpbd, agency or viewer
            page.goto(live_app + "/banjir")

    Demo users are named after their role; the password of each is "demo" (demo mode only).
    Use a page that is not logged in yet (the `page` fixture is a fresh context); `page.request`
    then shares the session, for calling routes directly (POSTs to Flask routes also need
    `headers={"X-CSRFToken": page.evaluate("window.ambon.csrfToken()")}`).
    """
    page.goto(base + "/masuk")
    page.fill("#auth-username", role)
    page.fill("#auth-password", DEMO_PASSWORD)
    page.click("#auth-submit")
    page.wait_for_selector("#auth-user", timeout=20000)


def csrf_token_of(html: str) -> str:
    """The CSRF token of a page rendered by the app (login page or any form of it)."""
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login_client(client, role: str = "operator", password: str = DEMO_PASSWORD):
    """Log a Flask test client in as the demo user of `role`; returns the client. For route tests
    through `create_app(...).server.test_client()`. Send `X-CSRFToken: csrf_token_of(...)` with
    any POST that is not a Dash callback."""
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    response = client.post("/masuk", data={"username": role, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"login as {role} failed: {response.status_code}"
    return client


def login_opener(base: str, role: str = "operator"):
    """A urllib opener logged in to the running app at `base` as the demo user of `role` (for
    tests that talk HTTP to a server process without a browser)."""
    import http.cookiejar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = csrf_token_of(opener.open(base + "/masuk", timeout=10).read().decode())
    form = urllib.parse.urlencode({"username": role, "password": DEMO_PASSWORD, "csrf_token": token}).encode()
    opener.open(base + "/masuk", data=form, timeout=10)
    return opener


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


@pytest.fixture(scope="session")
def h264_file(tmp_path_factory) -> Path:
    """An H.264 clip (libx264 through PyAV) as cameras send it: 640x360, 100 fps (so that tests go
    quickly through it), a key frame every H264_GOP frames, frame numbers readable from the picture
    (tests.helpers.clips.frame_index). A media_root of its own: use settings.replace(media_root=path.parent)."""
    return write_h264(tmp_path_factory.mktemp("h264") / "clip.mp4", frames=H264_FRAMES, fps=100, size=(640, 360), gop=H264_GOP)


H264_FRAMES, H264_GOP = 120, 10


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
def rtsp_server():
    """(rtsp://127.0.0.1:<port>, the mounts it serves) of a real GStreamer RTSP server (subprocess,
    Debian python): /cam RTP/JPEG, /h264 H.264 when GStreamer has an H.264 encoder."""
    reason = _rtsp_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"RTSP server unavailable in CI: {reason}")
        pytest.skip(reason)
    proc = subprocess.Popen(
        [SYSTEM_PYTHON, str(RTSP_HELPER)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    announced: list[list[str]] = []

    def read_port() -> None:
        line = proc.stdout.readline()
        if line.startswith("PORT "):
            announced.append(line.split()[1:])

    t = threading.Thread(target=read_port, daemon=True)
    t.start()
    t.join(20)
    if not announced:
        proc.kill()
        proc.wait(5)
        pytest.fail("RTSP test server did not start")
    port, *mounts = announced[0]
    try:
        yield f"rtsp://127.0.0.1:{port}", mounts
    finally:
        proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def rtsp_url(rtsp_server):
    """rtsp://127.0.0.1:<port>/cam: a moving pattern, 320x240, 15 fps, RTP/JPEG."""
    return f"{rtsp_server[0]}/cam"


@pytest.fixture(scope="session")
def rtsp_h264_url(rtsp_server):
    """rtsp://127.0.0.1:<port>/h264: the pattern as H.264, 320x240, 25 fps, a key frame every 10 frames."""
    base, mounts = rtsp_server
    if "/h264" not in mounts:
        reason = "GStreamer's openh264enc (Debian gstreamer1.0-plugins-bad) is needed for the H.264 RTSP camera"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return f"{base}/h264"


def camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("camera-")]


@pytest.fixture(autouse=True)
def no_camera_thread_left_behind(request):
    """Camera tests must stop every reader they start (other tests may keep a module-wide app)."""
    yield
    if request.module.__name__.rpartition(".")[2].startswith("test_camera"):
        wait_until(lambda: not camera_threads(), timeout=5, message="camera threads to end")


def decode(jpeg: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None, "not a decodable JPEG"
    return img


def has_chromium() -> bool:
    return shutil.which("chromium") is not None
