"""Camera URLs an attacker (or a careless admin) could save, their credentials, and evidence of a
deleted camera (issue 10 items 1, 7, 8): FFmpeg and urllib against local TCP listeners, and the
real app through the Flask test client (admin page callback, camera routes)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from auth.models import AuditEvent
from cameras import CameraManager
from config.cameras import AddressPolicy, ConfigError, parse_spec
from cameras.sources import SourceError, open_source
from tests.conftest import build_app
from config import Settings
from layouts import ids
from store.models import Camera
from tests.conftest import csrf_token_of, login_client, wait_until

CAM_FIELDS = list(ids.ADMIN_CAM_FIELDS)


class TcpListener:
    """A plain TCP port on 127.0.0.1 that records every byte sent to it (as Redis would take them)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received, self.connections, self.stopping = bytearray(), 0, threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(0.3)
            try:
                while chunk := conn.recv(4096):
                    self.received += chunk
            except OSError:
                pass
            conn.close()

    def close(self):
        self.stopping.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = TcpListener()
    yield server
    server.close()


# -- 1. control characters never reach the network

def test_control_characters_in_a_camera_url_never_reach_the_wire(settings, listener):
    injected = f"rtsp://127.0.0.1:{listener.port}/a\r\nSET injected pwned\r\nFLUSHALL\r\n"
    rows = [{"id": 1, "name": "injected", "kind": "road", "stream_url": injected},
            {"id": 2, "name": "plain", "kind": "road", "stream_url": f"rtsp://127.0.0.1:{listener.port}/plain"}]
    manager = CameraManager(lambda: rows, settings=settings).start()
    try:
        wait_until(lambda: b"/plain" in listener.received and (b"injected" in listener.received or manager.health(1)),
                   timeout=15, message="the plain camera's request and the injected camera's fate")
        assert b"injected" not in listener.received and b"FLUSHALL" not in listener.received
        assert manager.health(1)["config_error"] == "stream_url contains whitespace or control characters"
    finally:
        manager.stop()


@pytest.mark.parametrize("url", ["rtsp://cam/a b", "http://cam/a\tb", "http://cam/\x00", "rtsp://cam/a\u2028b"])
def test_whitespace_and_control_characters_are_refused(url):
    with pytest.raises(ConfigError, match="control characters"):
        parse_spec({"id": 1, "name": "x", "kind": "road", "stream_url": url})


# -- 1. loopback, link-local and private addresses outside the camera networks

def test_names_are_judged_when_connecting_and_redirects_too(settings, mjpeg_server):
    policy = AddressPolicy.parse(["127.0.0.2/32"])
    guarded = settings.replace(address_policy=policy)
    by_name = parse_spec({"id": 1, "name": "x", "kind": "road", "stream_url": f"http://localhost:{mjpeg_server.port}/snapshot.jpg"}, guarded)
    with pytest.raises(SourceError, match="not one cameras may use") as refused:
        open_source(by_name, guarded)
    assert refused.value.code == "config" and mjpeg_server.connections["/snapshot.jpg"] == 0

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{mjpeg_server.port}/snapshot.jpg")
            self.end_headers()

        def log_message(self, *args):
            pass

    redirector = ThreadingHTTPServer(("127.0.0.2", 0), Redirect)
    threading.Thread(target=redirector.serve_forever, daemon=True).start()
    try:
        spec = parse_spec({"id": 1, "name": "x", "kind": "road", "stream_url": f"http://127.0.0.2:{redirector.server_port}/"}, guarded)
        with pytest.raises(SourceError, match="not one cameras may use"):
            open_source(spec, guarded)
        assert mjpeg_server.connections["/snapshot.jpg"] == 0
        allowed = settings.replace(address_policy=AddressPolicy.parse(["127.0.0.0/8"]))
        open_source(spec, allowed).close()  # the same redirect inside the camera networks is followed
        assert mjpeg_server.connections["/snapshot.jpg"] == 1
    finally:
        redirector.shutdown()
        redirector.server_close()


def camera_change(client, button, camera_id=None, **fields):
    names = [f"{ids.ADMIN_CAMERAS_TABLE}.children", f"{ids.ADMIN_CAM_PICK}.options", f"{ids.ADMIN_CAM_MESSAGE}.children"]
    body = {"output": ".." + "...".join(names) + "..",
            "outputs": [{"id": n.split(".")[0], "property": n.split(".")[1]} for n in names],
            "inputs": [{"id": ids.ADMIN_CAM_SAVE, "property": "n_clicks", "value": 1 if button == "save" else None},
                       {"id": ids.ADMIN_CAM_DELETE, "property": "n_clicks", "value": 1 if button == "delete" else None}],
            "state": [{"id": ids.ADMIN_CAM_PICK, "property": "value", "value": camera_id},
                      *({"id": ids.ADMIN_CAM_FIELDS[f], "property": "value", "value": fields.get(f)} for f in CAM_FIELDS),
                      {"id": "lang-store", "property": "data", "value": "en"}],
            "changedPropIds": [f"{ids.ADMIN_CAM_SAVE if button == 'save' else ids.ADMIN_CAM_DELETE}.n_clicks"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))["response"][ids.ADMIN_CAM_MESSAGE]["children"]


CAMERA = {"name": "CCTV Jembatan", "kind": "river", "group": "bpbd", "lon": 128.18, "lat": -3.69, "heading_deg": 90,
          "fov_deg": 60, "range_m": 80}


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory):
    """The app with the default camera networks, no readers."""
    instance = tmp_path_factory.mktemp("instance")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}))


def test_admin_cannot_point_a_camera_at_the_server_or_the_metadata_service(guarded_app):
    admin = login_client(guarded_app.server.test_client(), "admin")
    refusals = {camera_change(admin, "save", **CAMERA, stream_url=url) for url in (
        "rtsp://127.0.0.1:5432/", "rtsp://127.0.0.1:6379/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8050/",
        "http://0.0.0.0:22/", "rtsp://localhost:6379/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://2130706433/")}
    assert refusals == {"Not saved: the stream URL points to an address cameras may not use (CAMERA_NETWORKS)"}
    assert "Saved" in camera_change(admin, "save", **CAMERA, stream_url="rtsp://10.20.30.40:554/stream1")
    assert "control characters" in camera_change(admin, "save", **CAMERA, stream_url="rtsp://10.20.30.40/a\r\nSET x y")
    engine = guarded_app.server.extensions["ambon_auth"]["engine"]
    with engine.connect() as conn:
        assert conn.scalars(select(Camera.stream_url)).all() == ["rtsp://10.20.30.40:554/stream1"]


# -- 8. credentials, 7. evidence of a deleted camera

@pytest.fixture(scope="module")
def camera_app(tmp_path_factory):
    """The app with camera readers, loopback allowed as a camera network (the test cameras live there)."""
    from tests.helpers.mjpeg_server import MjpegServer

    instance = tmp_path_factory.mktemp("instance")
    with MjpegServer() as camera_server:
        app = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "DEMO_DATA": "0",
                                            "CAMERA_NETWORKS": "127.0.0.0/8"}))
        app.camera_server = camera_server
        yield app
        app.server.extensions["ambon_cameras"].board.manager.stop()


def test_camera_credentials_are_kept_apart_and_shown_to_admins_only(camera_app):
    admin = login_client(camera_app.server.test_client(), "admin")
    port = camera_app.camera_server.port
    url = f"http://kamera:s3cret@127.0.0.1:{port}/snapshot.jpg?user=admin&pwd=hunter2&res=hd"
    assert "Saved" in camera_change(admin, "save", **{**CAMERA, "group": "dlh", "name": "CCTV TPS"}, stream_url=url)
    engine = camera_app.server.extensions["ambon_auth"]["engine"]
    with engine.connect() as conn:
        row = conn.execute(select(Camera.id, Camera.stream_url, Camera.stream_username, Camera.stream_password)
                           .where(Camera.name == "CCTV TPS")).one()
    assert row.stream_url == f"http://127.0.0.1:{port}/snapshot.jpg?user=admin&pwd=hunter2&res=hd"
    assert (row.stream_username, row.stream_password) == ("kamera", "s3cret")
    wait_until(lambda: admin.get(f"/cameras/{row.id}/health").get_json().get("status") == "online", timeout=15,
               message="the camera to answer with its credentials")
    for role in ("operator", "bpbd"):
        client = login_client(camera_app.server.test_client(), role)
        for path in ("/cameras/", "/cameras/health", f"/cameras/{row.id}/health"):
            text = client.get(path).get_data(as_text=True)
            assert "s3cret" not in text and "hunter2" not in text and "stream_url" not in text, (role, path)
    listed = admin.get("/cameras/").get_data(as_text=True)
    assert "s3cret" not in listed and "hunter2" not in listed and "res=hd" in listed  # admins see the URL, masked


def test_a_reused_camera_id_never_shows_the_deleted_cameras_evidence(camera_app):
    admin = login_client(camera_app.server.test_client(), "admin")
    bpbd = login_client(camera_app.server.test_client(), "bpbd")
    engine = camera_app.server.extensions["ambon_auth"]["engine"]
    assert "Saved" in camera_change(admin, "save", **{**CAMERA, "kind": "road", "group": "lalu_lintas", "name": "Jalan A"},
                                     stream_url="demo://road")
    with engine.connect() as conn:
        road_id, road_uid = conn.execute(select(Camera.id, Camera.uid).where(Camera.name == "Jalan A")).one()
    token = csrf_token_of(admin.get("/keluar").get_data(as_text=True))
    taken = admin.post(f"/cameras/{road_id}/snapshot", headers={"X-CSRFToken": token})
    assert taken.status_code == 201, taken.get_data(as_text=True)
    assert f"/cameras/archive/{road_uid}/snapshots" in camera_change(admin, "delete", road_id)
    assert "Saved" in camera_change(admin, "save", **{**CAMERA, "name": "Sungai B"}, stream_url="demo://river")
    with engine.connect() as conn:
        river_id = conn.scalar(select(Camera.id).where(Camera.name == "Sungai B"))
        deleted = conn.execute(select(AuditEvent.detail).where(AuditEvent.action == "camera.delete")).scalar_one()
    assert river_id == road_id  # SQLite gives the id again
    assert bpbd.get(f"/cameras/{river_id}/snapshots").get_json() == {"snapshots": []}
    assert bpbd.get(f"/cameras/{river_id}/snapshots/{taken.get_json()['filename']}").status_code == 404
    assert deleted == {"uid": road_uid}
    archived = admin.get(f"/cameras/archive/{road_uid}/snapshots").get_json()["snapshots"]
    assert [s["filename"] for s in archived] == [taken.get_json()["filename"]] and archived[0]["camera_name"] == "Jalan A"
    assert admin.get(archived[0]["url"]).mimetype == "image/jpeg"
    assert bpbd.get(f"/cameras/archive/{road_uid}/snapshots").status_code == 403
    assert admin.get("/cameras/archive/..etc/snapshots").get_json() == {"snapshots": []}


def test_a_camera_id_past_64_bits_is_no_such_camera(guarded_app):
    admin = login_client(guarded_app.server.test_client(), "admin")
    assert "pick an existing camera first" in camera_change(admin, "save", 2**70, **CAMERA, stream_url="demo://1")
    assert "pick an existing camera first" in camera_change(admin, "delete", 2**70)


@pytest.mark.parametrize("fps", ["nan", "inf", "-1", "0", "1e309"])
def test_a_live_view_frame_rate_that_is_no_rate_is_refused(camera_app, fps):
    admin = login_client(camera_app.server.test_client(), "admin")
    answer = admin.get(f"/cameras/1/live.mjpg?fps={fps}", buffered=False)
    assert answer.status_code == 400 and "fps" in answer.get_json()["error"]
