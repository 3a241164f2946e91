"""The scaled-out configuration for real: gunicorn with two workers on PostgreSQL and Redis.

Both workers start together on an empty database (one seeds, the other waits), and any worker
serves thumbnails and health the camera readers published in Redis.
"""
from __future__ import annotations

import pickle
import time
import uuid

import numpy as np
import pytest
import redis
from sqlalchemy import func, select

from store.db import make_engine
from store.models import Camera
from tests.conftest import REDIS_URL, decode, fresh_postgres_database, login_opener, require_redis, serve_app, wait_until

@pytest.fixture(scope="module")
def redis_client():
    return redis.Redis.from_url(require_redis(REDIS_URL))


@pytest.fixture(scope="module")
def scaled_out(tmp_path_factory, redis_client):
    prefix = f"ambon-test-{uuid.uuid4().hex[:8]}:"
    with fresh_postgres_database() as database_url:
        with serve_app(tmp_path_factory.mktemp("gunicorn"), gunicorn_workers=2, DATABASE_URL=database_url,
                       REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix) as base:
            yield base, database_url, prefix
        keys = list(redis_client.scan_iter(match=prefix + "*"))
        if keys:
            redis_client.delete(*keys)


@pytest.fixture(scope="module")
def operator(scaled_out):
    return login_opener(scaled_out[0], "operator")


def test_two_workers_seed_the_demo_once(scaled_out):
    _, database_url, _ = scaled_out
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Camera)).scalar_one() == 37
    engine.dispose()


def test_any_worker_serves_fresh_thumbnails_from_redis(scaled_out, redis_client, operator):
    base, _, prefix = scaled_out
    wait_until(lambda: any(redis_client.scan_iter(match=prefix + "*thumb:1")), timeout=30, message="camera 1's thumbnail in Redis")
    for _ in range(12):  # several requests: both workers answer some of them
        with operator.open(f"{base}/cameras/1/thumbnail.jpg?t={uuid.uuid4().hex}", timeout=10) as response:
            assert response.status == 200 and response.headers["X-Camera-Status"] == "online"
            image = decode(response.read())
        assert image.shape[1] == 320 and float(np.std(image)) > 5  # a real picture, not a blank card
    with operator.open(base + "/kamera", timeout=10) as response:  # a session made by one worker is valid in the other
        assert response.status == 200 and b"react-entry-point" in response.read()


def test_live_view_streams_from_a_worker(scaled_out, operator):
    base, _, _ = scaled_out
    with operator.open(f"{base}/cameras/2/live.mjpg", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        chunk = b""
        while chunk.count(b"\xff\xd9") < 1:
            chunk += response.read1(65536)
    start = chunk.index(b"\xff\xd8")
    assert decode(chunk[start:chunk.index(b"\xff\xd9", start) + 2]).size > 0


def test_each_camera_is_decoded_for_thumbnails_by_one_worker(scaled_out, redis_client):
    """Each worker embeds a camera service; they share the cameras through leases in Redis, so a
    camera's reader, thumbnails and health come from one worker, and the other relays its live view."""
    _, _, prefix = scaled_out

    def maker(camera_id: int) -> str:
        raw = redis_client.get(f"{prefix}ambon:cam:thumb:{camera_id}")
        return pickle.loads(raw[1:])["by"]  # cachelib's Redis format: "!" + pickle

    wait_until(lambda: all(redis_client.get(f"{prefix}ambon:cam:thumb:{c}") for c in range(1, 6)), timeout=30,
               message="thumbnails of cameras 1-5")
    makers: dict[int, set[str]] = {c: set() for c in range(1, 6)}
    deadline = time.monotonic() + 11  # two thumbnail periods and more
    while time.monotonic() < deadline:
        for camera_id in makers:
            makers[camera_id].add(maker(camera_id))
        time.sleep(0.25)
    assert all(len(by) == 1 for by in makers.values()), makers
