"""Flask routes through Flask's test client, on real readers."""
from __future__ import annotations

import time

import pytest
from flask import Flask

from cameras import CameraManager
from routes.cameras import init_camera_routes
from tests.conftest import decode, wait_until


@pytest.fixture
def app_and_manager(settings, refused_url):
    rows = [
        {"id": 1, "name": "Jembatan Merah Putih", "kind": "road", "stream_url": "demo://1", "kecamatan": "Sirimau"},
        {"id": 2, "name": "Kali Batu Merah", "kind": "river", "stream_url": refused_url},
        {"id": 3, "name": "Salah", "kind": "lake", "stream_url": "demo://3"},
    ]
    manager = CameraManager(lambda: rows, settings=settings).start()
    app = Flask(__name__)
    init_camera_routes(app, manager)
    wait_until(lambda: manager.cache.get(manager.keys.thumb(1)), 3, message="thumbnail")
    yield app, manager
    manager.stop()


def read_parts(resp, n: int) -> list[bytes]:
    """The first n JPEG parts of a multipart/x-mixed-replace response."""
    buf = b""
    parts: list[bytes] = []
    for chunk in resp.response:
        buf += chunk
        while True:
            start = buf.find(b"--frame\r\n")
            head_end = buf.find(b"\r\n\r\n", start)
            if start < 0 or head_end < 0:
                break
            headers = buf[start:head_end].decode()
            length = int(next(h.split(":")[1] for h in headers.split("\r\n") if h.lower().startswith("content-length")))
            body_start = head_end + 4
            if len(buf) < body_start + length:
                break
            parts.append(buf[body_start:body_start + length])
            buf = buf[body_start + length:]
        if len(parts) >= n:
            return parts[:n]
    return parts


def test_thumbnail_is_a_cacheable_jpeg(app_and_manager):
    app, manager = app_and_manager
    c = app.test_client()
    r = c.get("/cameras/1/thumbnail.jpg?t=123")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert decode(r.data).shape[1] == 320
    assert "max-age" in r.headers["Cache-Control"]
    assert r.headers["X-Camera-Status"] == "online" and float(r.headers["X-Frame-Age"]) < 2

    def published_etag() -> str:
        t = manager.cache.get(manager.keys.thumb(1))
        return '"1-%d-%.3f"' % (t["seq"], t["ts"])

    def revalidated_unchanged() -> bool:
        """A revalidation answers 304 while the thumbnail is the same, and 200 with the new one after."""
        first = c.get("/cameras/1/thumbnail.jpg?t=123")
        before = published_etag()
        again = c.get("/cameras/1/thumbnail.jpg?t=123", headers={"If-None-Match": first.headers["ETag"]})
        if published_etag() != before:
            return False  # a thumbnail came during the request: which one it saw is undecided, ask again
        if before == first.headers["ETag"]:
            assert again.status_code == 304 and not again.data
            return True
        assert again.status_code == 200 and again.headers["ETag"] == before and decode(again.data).shape[1] == 320
        return False

    wait_until(revalidated_unchanged, 10, 0.0, message="a revalidation while the thumbnail stayed the same")


def test_dead_camera_gets_the_offline_card(app_and_manager):
    app, _ = app_and_manager
    c = app.test_client()
    r = c.get("/cameras/2/thumbnail.jpg?t=1")
    assert r.status_code == 200 and r.headers["X-Camera-Status"] == "offline"
    assert decode(r.data).shape[1] == 320
    strict = c.get("/cameras/2/thumbnail.jpg?placeholder=0")
    assert strict.status_code == 503 and "refused" in strict.get_json()["error"]
    assert c.get("/cameras/99/thumbnail.jpg").status_code == 404


def test_stale_thumbnail_turns_into_offline_card(app_and_manager, settings):
    app, m = app_and_manager
    key = m.keys.thumb(1)
    m.stop()  # reader gone: its last thumbnail ages
    rec = m.cache.get(key)
    m.cache.set(key, {**rec, "ts": time.time() - settings.offline_after_s - 5}, timeout=0)
    r = app.test_client().get("/cameras/1/thumbnail.jpg")
    assert r.headers["X-Camera-Status"] == "offline"


def test_live_mjpeg_parts_decode_and_viewer_is_released(app_and_manager):
    app, m = app_and_manager
    r = app.test_client().get("/cameras/1/live.mjpg", buffered=False)
    assert r.status_code == 200
    assert r.mimetype == "multipart/x-mixed-replace"
    parts = read_parts(r, 3)
    assert len(parts) == 3
    imgs = [decode(p) for p in parts]
    assert imgs[0].shape == (216, 384, 3)
    assert m.reader(1).viewers == 1
    r.close()  # the browser closed the live view
    assert m.reader(1).viewers == 0


def test_live_of_dead_camera_streams_offline_cards(app_and_manager):
    app, _ = app_and_manager
    r = app.test_client().get("/cameras/2/live.mjpg", buffered=False)
    parts = read_parts(r, 1)
    assert decode(parts[0]).shape[0] > 0
    r.close()


def test_snapshot_route(app_and_manager):
    app, _ = app_and_manager
    c = app.test_client()
    r = c.post("/cameras/1/snapshot")
    assert r.status_code == 201
    body = r.get_json()
    assert body["camera_id"] == 1 and "path" not in body
    img = c.get(body["url"])
    assert img.status_code == 200 and decode(img.data).shape == (216, 384, 3)
    assert [s["filename"] for s in c.get("/cameras/1/snapshots").get_json()["snapshots"]] == [body["filename"]]
    assert c.get("/cameras/1/snapshots/..%2F..%2Fetc%2Fpasswd").status_code == 404
    dead = c.post("/cameras/2/snapshot")
    assert dead.status_code == 503 and "refused" in dead.get_json()["error"]


def test_health_json_worst_first(app_and_manager):
    app, _ = app_and_manager
    c = app.test_client()
    def health_with_the_refusal():  # the dead camera's first attempt may come after camera 1's thumbnail
        body = c.get("/cameras/health").get_json()["cameras"]
        return any(h["camera_id"] == 2 and h.get("last_error") for h in body) and body

    body = wait_until(health_with_the_refusal, 10, message="camera 2's refused connection in the health list")
    assert [h["camera_id"] for h in body][-1] == 1
    by_id = {h["camera_id"]: h for h in body}
    assert by_id[1]["status"] == "online" and by_id[1]["name"] == "Jembatan Merah Putih"
    assert by_id[1]["kecamatan"] == "Sirimau" and by_id[1]["live_url"] == "/cameras/1/live.mjpg"
    assert by_id[2]["status"] == "offline" and "refused" in by_id[2]["last_error"]
    assert "kind must be one of" in by_id[3]["config_error"]
    # online since its first frame: its uptime passes one half as the watched time goes on
    wait_until(lambda: (h := c.get("/cameras/1/health").get_json()).get("fps") is not None and (h.get("uptime_24h") or 0) > 0.5, 10,
               message="a measured frame rate and an uptime above one half")
    assert c.get("/cameras/42/health").status_code == 404
    assert len(c.get("/cameras/").get_json()["cameras"]) == 3


def test_permission_hook(settings):
    calls = []

    def authorize(action, camera_id):
        calls.append((action, camera_id))
        return action != "snapshot"

    with CameraManager(lambda: [{"id": 1, "name": "a", "kind": "road", "stream_url": "demo://1"}], settings=settings) as m:
        app = Flask(__name__)
        init_camera_routes(app, m, authorize=authorize)
        c = app.test_client()
        assert c.post("/cameras/1/snapshot").status_code == 403
        assert c.get("/cameras/health").status_code == 200
        assert ("snapshot", 1) in calls and ("health", None) in calls


def test_web_only_worker_reads_the_cache(settings):
    """A worker without readers serves thumbnails/health from the shared cache; live says 503."""
    with CameraManager(lambda: [{"id": 1, "name": "a", "kind": "road", "stream_url": "demo://1"}], settings=settings) as m:
        wait_until(lambda: m.cache.get(m.keys.thumb(1)), 3, message="thumbnail")
        app = Flask(__name__)
        init_camera_routes(app, None, m.cache, settings=settings)
        c = app.test_client()
        assert c.get("/cameras/1/thumbnail.jpg").headers["X-Camera-Status"] == "online"
        assert c.get("/cameras/health").get_json()["cameras"][0]["camera_id"] == 1
        assert c.get("/cameras/1/live.mjpg").status_code == 503


class CountingCache:
    """A cache that records each read it answers: one entry per round trip to Redis."""

    def __init__(self, cache):
        self.cache, self.reads = cache, []

    def get(self, key):
        self.reads.append(key)
        return self.cache.get(key)

    def get_many(self, *keys):
        self.reads.append(keys)
        return self.cache.get_many(*keys)

    def set(self, key, value, timeout=None):
        return self.cache.set(key, value, timeout=timeout)

    def delete(self, key):
        return self.cache.delete(key)


def test_a_web_worker_reads_the_cache_once_per_thing_it_needs(settings):
    """Every open page asks for the cameras' health and thumbnails every few seconds: the health of
    every camera is one read (not one per camera) besides the index, and a fresh thumbnail one read."""
    rows = [{"id": i, "name": f"k{i}", "kind": "road", "stream_url": f"demo://{i}"} for i in (1, 2, 3)]
    with CameraManager(lambda: rows, settings=settings) as m:
        wait_until(lambda: all(m.cache.get(m.keys.thumb(i)) for i in (1, 2, 3)), 5, message="three thumbnails")
        cache = CountingCache(m.cache)
        app = Flask(__name__)
        init_camera_routes(app, None, cache, settings=settings)
        c = app.test_client()
        health = c.get("/cameras/health").get_json()["cameras"]
        assert sorted((h["camera_id"], h["status"], h["name"]) for h in health) == [(1, "online", "k1"), (2, "online", "k2"),
                                                                                    (3, "online", "k3")]
        assert cache.reads == [m.keys.index, tuple(m.keys.health(i) for i in (1, 2, 3))]
        cache.reads.clear()
        thumb = c.get("/cameras/2/thumbnail.jpg")
        assert thumb.headers["X-Camera-Status"] == "online" and decode(thumb.data).shape[1] == 320
        assert cache.reads == [m.keys.thumb(2)]


def test_flask_caching_cache_is_accepted(settings):
    from flask_caching import Cache

    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 10000, "CACHE_DEFAULT_TIMEOUT": 0})
    with CameraManager(lambda: [{"id": 1, "name": "a", "kind": "road", "stream_url": "demo://1"}], cache,
                       settings=settings) as m:
        init_camera_routes(app, m, cache)
        wait_until(lambda: app.test_client().get("/cameras/1/thumbnail.jpg").headers["X-Camera-Status"] == "online",
                   3, message="thumbnail through flask-caching")


def test_a_camera_without_a_published_thumbnail_gets_its_first_one_on_request(app_and_manager):
    """A wall opened before the reader's first thumbnail (or after it was lost) shows the picture at
    once, not the grey card until the next refresh; a camera that failed still gets the card."""
    app, manager = app_and_manager
    manager.cache.delete(manager.keys.thumb(1))
    started = time.monotonic()
    r = app.test_client().get("/cameras/1/thumbnail.jpg?t=0")
    assert r.headers["X-Camera-Status"] == "online" and decode(r.data).shape[1] == 320
    assert time.monotonic() - started < 2
    assert manager.cache.get(manager.keys.thumb(1)) is not None  # published for everyone else too
    wait_until(lambda: (manager.health(2) or {}).get("last_error"), 5, message="camera 2 fails")
    assert app.test_client().get("/cameras/2/thumbnail.jpg?t=0").headers["X-Camera-Status"] == "offline"


def test_a_live_view_follows_its_camera_to_another_instance(settings):
    """A camera handed to another service instance (its share changed) goes on through the relay."""
    owned = {1}
    manager = CameraManager(lambda: [{"id": 1, "name": "Pasar Mardika", "kind": "road", "stream_url": "demo://1"}],
                            settings=settings, claim=lambda ids: set(owned) & set(ids)).start()

    class Relay:  # stands in for cameras.relay.RedisLive: what the other instance would publish
        def stream(self, camera_id, name, fps=None):
            yield b"--frame\r\nrelayed " + name.encode() + b"\r\n"

    app = Flask(__name__)
    init_camera_routes(app, manager, relay=Relay())  # type: ignore[arg-type]
    try:
        response = app.test_client().get("/cameras/1/live.mjpg", buffered=False)
        parts = iter(response.response)
        assert b"\xff\xd8" in next(parts)  # a JPEG from this process's reader
        owned.clear()
        manager.sync()  # the camera moves away: its reader here stops
        assert b"relayed Pasar Mardika" in b"".join(parts)
        response.close()
    finally:
        manager.stop()
