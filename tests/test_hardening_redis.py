"""Redis goes away and comes back (issue 10 item 4): the app keeps serving logins, map layers,
camera thumbnails and health from its own cache, says so once a minute in the log and on /admin,
and takes Redis up again. Redis is reached through a TCP relay the test closes and opens again."""
from __future__ import annotations

import json
import logging
import socket
import threading
import uuid

import pytest

from tests.conftest import build_app
from config import Settings
from store.cache import FallbackCache, cache_status
from store.cameras import save_camera, validate_camera
from tests.conftest import REDIS_URL, csrf_token_of, login_client, require_redis, wait_until


class TcpRelay:
    """127.0.0.1:<port> relayed to `target`; `close()` drops the port and every connection through it."""

    def __init__(self, target: tuple[str, int], port: int = 0):
        self.target, self.conns, self.stopping = target, [], threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.stopping.set()
        self.sock.close()
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


@pytest.fixture
def relay():
    url = require_redis()
    host, port = url.split("://", 1)[1].split("/")[0].split(":")
    relays = [TcpRelay((host, int(port)))]
    yield relays
    relays[-1].close()


def open_admin_page(client) -> str:
    body = {"output": "..{0}.children...{1}.data..".format("_pages_content", "_pages_store"),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/admin"},
                       {"id": "_pages_location", "property": "search", "value": ""}], "changedPropIds": []}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_app_serves_on_while_redis_is_away_and_takes_it_up_again(relay, tmp_path, caplog):
    db = REDIS_URL.rsplit("/", 1)[1] or "0"
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "DEMO_DATA": "0",
                                        "REDIS_URL": f"redis://127.0.0.1:{relay[0].port}/{db}", "CACHE_KEY_PREFIX": f"test-{tmp_path.name}:"}))
    manager = app.server.extensions["ambon_cameras"].board.manager
    try:
        cache = app.server.extensions["cache"]
        backend = next(iter(cache.values()))
        assert isinstance(backend, FallbackCache)
        backend.retry_s = 0.3  # the outage is noticed at once; shrink how soon Redis is tried again
        engine = app.server.extensions["ambon_auth"]["engine"]
        camera_id = save_camera(engine, None, validate_camera({"name": "CCTV Uji", "kind": "road", "group": "umum", "lon": 128.18,
                                                              "lat": -3.69, "stream_url": "demo://1"}, None))
        manager.sync()
        admin = login_client(app.server.test_client(), "admin")
        assert admin.get("/api/layers/tps.geojson").status_code == 200
        assert cache_status(backend) == {"shared": True} and "Redis" not in open_admin_page(admin)

        relay[0].close()
        caplog.set_level(logging.WARNING, logger="store.cache")
        for _ in range(3):  # every kind of request goes on, from this process's own cache
            assert login_client(app.server.test_client(), "operator").get("/cameras/health").status_code == 200
            assert admin.get("/api/layers/tps.geojson").status_code == 200
        wait_until(lambda: admin.get(f"/cameras/{camera_id}/thumbnail.jpg").headers.get("X-Camera-Status") == "online", timeout=15,
                   message="a thumbnail made while Redis is away")
        assert admin.get(f"/cameras/{camera_id}/health").get_json()["status"] in ("online", "degraded")
        status = cache_status(backend)
        assert status["shared"] is False and "Redis tidak dapat dihubungi" in open_admin_page(admin)
        said = [r for r in caplog.records if r.name == "store.cache"]
        assert len(said) == 1 and "Redis cannot be reached" in said[0].getMessage()  # once a minute, not once a request

        relay.append(TcpRelay(relay[0].target, relay[0].port))  # Redis is back, on the same address
        wait_until(lambda: admin.get("/api/layers/tps.geojson").status_code == 200 and cache_status(backend)["shared"], timeout=10,
                   message="the shared cache to be taken up again")
        assert "Redis" not in open_admin_page(admin)
    finally:
        manager.stop()


def test_every_redis_key_carries_the_deployments_prefix(tmp_path):
    import geopandas as gpd
    import redis
    import shapely

    from planning.artifacts import ArtifactStore

    url = require_redis()
    prefix, name = f"test-{uuid.uuid4().hex[:8]}:", f"tebak{uuid.uuid4().hex[:8]}"
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "DEMO_DATA": "0", "CAMERA_READERS": "0",
                                        "REDIS_URL": url, "CACHE_KEY_PREFIX": prefix}))
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    assert client.post("/masuk", data={"username": name, "password": "salah", "csrf_token": token}).status_code == 401
    server = redis.Redis.from_url(url)
    limit_keys = [k.decode() for k in server.scan_iter(match=f"*{name}*")]
    assert limit_keys and all(k.startswith(prefix) for k in limit_keys)
    settings = Settings.from_env({"INSTANCE_DIR": str(tmp_path), "REDIS_URL": url, "CACHE_KEY_PREFIX": prefix})
    artifact_id = ArtifactStore(tmp_path / "coverage", settings.redis_url, key_prefix=settings.cache_key_prefix).put(
        gpd.GeoDataFrame(geometry=[shapely.Point(128.18, -3.69)], crs="EPSG:4326"))
    assert [k.decode() for k in server.scan_iter(match=f"*{artifact_id}")] == [f"{prefix}coverage:artifact:{artifact_id}"]
    for key in server.scan_iter(match=f"{prefix}*"):
        server.delete(key)
