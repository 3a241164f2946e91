"""The camera service as real processes on Redis: several instances share the cameras through
leases and take over a killed one's; web workers relay live view from it, and however many viewers
watch, the camera's source sees one connection, closed again when they leave."""
from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis

from config.cameras import CameraSettings
from cameras.relay import RedisLive
from cameras.service import redis_prefix
from tests.conftest import REDIS_URL, decode, require_redis, wait_until
from tests.helpers.mjpeg_server import MjpegServer

ROOT = Path(__file__).resolve().parents[1]
PERIOD_S = 2.0


@pytest.fixture(scope="module")
def client():
    return redis.Redis.from_url(require_redis(REDIS_URL))


@pytest.fixture
def prefix(client):
    cache_prefix = f"ambon-test-{uuid.uuid4().hex[:8]}:"
    yield cache_prefix
    keys = list(client.scan_iter(match=cache_prefix + "*"))
    if keys:
        client.delete(*keys)


@contextmanager
def service(tmp_path: Path, cache_prefix: str, *args: str, **env: str):
    """`python -m cameras.service ARGS` on Redis; killed (SIGKILL) or stopped after."""
    log = open(tmp_path / f"service-{uuid.uuid4().hex[:6]}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cameras.service", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": cache_prefix, "INSTANCE_DIR": str(tmp_path),
             "CAMERA_THUMBNAIL_S": str(PERIOD_S), **env})
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        log.close()


def lease_holders(client, cache_prefix: str, ids) -> dict[int, str | None]:
    raw = client.mget([f"{redis_prefix(cache_prefix)}lease:{c}" for c in ids])
    return {c: v.decode() if v else None for c, v in zip(ids, raw)}


def thumbnail(client, cache_prefix: str, camera_id: int) -> dict | None:
    raw = client.get(f"{redis_prefix(cache_prefix)}thumb:{camera_id}")
    return pickle.loads(raw[1:]) if raw else None  # cachelib's Redis format: "!" + pickle


def test_two_instances_split_the_cameras_and_one_takes_over_when_the_other_is_killed(tmp_path, client, prefix):
    ids = list(range(1, 9))
    with service(tmp_path, prefix, "--demo", "8") as first, service(tmp_path, prefix, "--demo", "8"):
        def split():
            holders = lease_holders(client, prefix, ids)
            tokens = set(holders.values())
            return None not in tokens and len(tokens) == 2 and holders

        holders = wait_until(split, 60, 0.1, message="two instances holding the 8 cameras between them")
        assert sorted(list(holders.values()).count(t) for t in set(holders.values())) == [4, 4]
        killed = {c for c, t in holders.items() if f":{first.pid}:" in t}
        survivor = next(t for t in holders.values() if f":{first.pid}:" not in t)
        assert len(killed) == 4
        wait_until(lambda: all(thumbnail(client, prefix, c) for c in ids), 30, 0.1, message="every camera's first thumbnail")

        first.send_signal(signal.SIGKILL)  # no clean hand-back: its leases must lapse
        killed_at = time.time()

        def taken_over():
            thumbs = [thumbnail(client, prefix, c) for c in killed]
            return all(t and t["by"] == survivor and t["ts"] > killed_at for t in thumbs)

        # two thumbnail periods, as promised, plus a second for a loaded test machine to schedule the survivor
        wait_until(taken_over, 2 * PERIOD_S + 1.0, 0.05, message="the survivor's thumbnails of the killed instance's cameras")
        assert set(lease_holders(client, prefix, ids).values()) == {survivor}


def test_many_viewers_in_several_workers_cost_one_connection_to_the_camera(tmp_path, client, prefix):
    settings = CameraSettings(thumbnail_period_s=PERIOD_S)
    with MjpegServer() as camera, ExitStack() as stack:
        specs = tmp_path / "cameras.json"
        specs.write_text(json.dumps([{"id": 1, "name": "Jalan Pattimura", "kind": "road", "stream_url": camera.url("/stream?fps=10")}]))
        stack.enter_context(service(tmp_path, prefix, "--specs", str(specs), CAMERA_NETWORKS="127.0.0.0/8"))
        wait_until(lambda: thumbnail(client, prefix, 1), 30, 0.1, message="the camera's first thumbnail")
        workers = [RedisLive(redis.Redis.from_url(REDIS_URL), redis_prefix(prefix), settings) for _ in range(3)]
        streams = [workers[i % 3].stream(1, "Jalan Pattimura") for i in range(10)]
        camera.max_open_streams = camera.open_streams
        frames = [0] * len(streams)
        done = threading.Barrier(len(streams) + 1)

        def watch(i: int) -> None:
            for chunk in streams[i]:  # each part is one JPEG of the camera
                body = chunk.split(b"\r\n\r\n", 1)[1]
                assert decode(body[:-2]).shape[1] == 160
                frames[i] += 1
                if frames[i] == 3:
                    break
            done.wait(60)

        threads = [threading.Thread(target=watch, args=(i,)) for i in range(len(streams))]
        for t in threads:
            t.start()
        done.wait(60)  # every viewer has had three frames and is still registered

        def health():
            raw = client.get(f"{redis_prefix(prefix)}health:1")
            return pickle.loads(raw[1:]) if raw else {}

        wait_until(lambda: health().get("viewers") == 10, 10, 0.05, message="the ten viewers of three workers counted together")
        assert camera.max_open_streams == 1 and camera.open_streams == 1, "one connection to the camera, whatever the viewers"
        for t in threads:
            t.join(10)
        for s in streams:
            s.close()  # the viewers leave
        wait_until(lambda: health().get("viewers") == 0, 10, 0.05, message="no viewers left")
        wait_until(lambda: camera.open_streams == 0, 2 * PERIOD_S, 0.02, message="the camera's stream closed after the viewers left")


def test_a_web_only_worker_serves_live_view_and_snapshots_from_the_service(tmp_path, client, prefix):
    """The routes of a worker that runs no camera (CAMERA_READERS=0) relay them from the service."""
    from cachelib import RedisCache
    from flask import Flask

    from routes.cameras import init_camera_routes

    settings = CameraSettings(thumbnail_period_s=PERIOD_S, snapshot_dir=tmp_path / "snapshots")
    with service(tmp_path, prefix, "--demo", "2"):
        app = Flask(__name__)
        cache = RedisCache(host=redis.Redis.from_url(REDIS_URL), key_prefix=prefix, default_timeout=0)
        init_camera_routes(app, None, cache, settings=settings, relay=RedisLive(redis.Redis.from_url(REDIS_URL), redis_prefix(prefix), settings))
        web = app.test_client()
        wait_until(lambda: web.get("/cameras/").get_json()["cameras"], 30, 0.1, message="the service's camera index")
        live = web.get("/cameras/1/live.mjpg", buffered=False)
        assert live.status_code == 200 and live.mimetype.startswith("multipart/x-mixed-replace")
        body = b""
        for chunk in live.response:
            body += chunk
            if b"\xff\xd9" in body:
                break
        live.close()
        start = body.index(b"\xff\xd8")
        assert decode(body[start:body.index(b"\xff\xd9", start) + 2]).size > 0
        taken = web.post("/cameras/2/snapshot")
        assert taken.status_code == 201, taken.get_json()
        listed = web.get("/cameras/2/snapshots").get_json()["snapshots"]
        assert [s["url"] for s in listed] == [taken.get_json()["url"]]
        assert decode(web.get(taken.get_json()["url"]).data).size > 0
        assert web.get("/cameras/9/live.mjpg").status_code == 404


def test_while_redis_is_away_an_instance_runs_every_camera(refused_url):
    """Web workers then serve from their own caches: a duplicate decode is better than no picture."""
    from urllib.parse import urlsplit

    from cameras.service import CameraService, demo_specs

    away = redis.Redis(host="127.0.0.1", port=urlsplit(refused_url).port, socket_connect_timeout=0.5)
    with CameraService(lambda: demo_specs(3), settings=CameraSettings(thumbnail_period_s=PERIOD_S), redis=away) as svc:
        assert svc.owned == {1, 2, 3} and all(svc.manager.reader(c) for c in (1, 2, 3))
        wait_until(lambda: all(svc.manager.cache.get(svc.manager.keys.thumb(c)) for c in (1, 2, 3)), 10, message="thumbnails")
