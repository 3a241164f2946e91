"""Manager: the camera list from the store drives readers without restart; clean shutdown."""
from __future__ import annotations

import time

from cameras import CacheKeys, CameraManager
from cameras.health import DAY, DEGRADED, OFFLINE, ONLINE, HealthTracker, classify, worst_first
from tests.conftest import camera_threads, decode, wait_until


def row(cid, url=None, **kw):
    return {"id": cid, "name": f"Kamera {cid}", "kind": "road", "stream_url": url or f"demo://{cid}", **kw}


def test_add_edit_remove_take_effect_without_restart(settings, mjpeg_server):
    rows = [row(1), row(2)]
    keys = CacheKeys()
    with CameraManager(lambda: rows, settings=settings) as m:
        wait_until(lambda: m.cache.get(keys.thumb(1)) and m.cache.get(keys.thumb(2)), 3, message="thumbs")
        # add
        rows.append(row(3, mjpeg_server.url("/stream")))
        res = m.sync()
        assert res.added == [3]
        wait_until(lambda: m.cache.get(keys.thumb(3)), 3, message="new camera thumbnail")
        # edit metadata only: same reader, no reconnect
        r3 = m.reader(3)
        rows[2] = row(3, mjpeg_server.url("/stream"), kecamatan="Nusaniwe", heading_deg=45)
        assert m.sync().updated == [3]
        assert m.reader(3) is r3 and m.spec(3).kecamatan == "Nusaniwe"
        # edit the stream: a new reader on the new URL
        rows[2] = row(3, mjpeg_server.url("/stream?w=320&h=240"))
        assert m.sync().restarted == [3]
        assert m.reader(3) is not r3
        wait_until(lambda: decode(m.cache.get(keys.thumb(3))["jpeg"]).shape[0] == 240, 3, message="new stream")
        # remove: reader stopped, cache entries gone
        del rows[0]
        assert m.sync().removed == [1]
        assert m.reader(1) is None
        assert m.cache.get(keys.thumb(1)) is None
        assert [c["id"] for c in m.cache.get(keys.index)] == [2, 3]
    assert not camera_threads()


def test_bad_rows_are_reported_not_fatal(settings):
    rows = [row(1), row(2, "ftp://x/y"), {"id": None, "name": "?"}, row(3), row(3)]
    with CameraManager(lambda: rows, settings=settings) as m:
        assert m.reader(1) is not None
        assert m.reader(2) is None and m.reader(3) is None  # duplicate id: the store must be fixed
        h2 = m.health(2)
        assert h2["status"] == OFFLINE and "not supported" in h2["config_error"]
        assert "duplicate" in m.health(3)["config_error"]
        assert m.cache.get(CacheKeys().health(2))["config_error"]
        ids = [c["id"] for c in m.cameras()]
        assert 1 in ids and 2 in ids and "row 2" in ids
        # a refused camera keeps its name wherever it is listed: the index the pages read, its health, the cache
        assert {c["id"]: c["name"] for c in m.cache.get(CacheKeys().index)}[2] == "Kamera 2"
        assert h2["name"] == "Kamera 2" and m.cache.get(CacheKeys().health(2))["name"] == "Kamera 2"
        assert [r["name"] for r in m.health_all() if r["camera_id"] == 2] == ["Kamera 2"]


def test_store_outage_keeps_cameras_running(settings):
    state = {"fail": False}

    def provider():
        if state["fail"]:
            raise ConnectionError("database down")
        return [row(1)]

    with CameraManager(provider, settings=settings) as m:
        state["fail"] = True
        m.sync()
        assert m.reader(1) is not None and "database down" in m.last_sync_error


def test_background_sync_picks_up_changes(settings):
    rows = [row(1)]
    with CameraManager(lambda: rows, settings=settings.replace(sync_interval_s=0.1)) as m:
        rows.append(row(2))
        wait_until(lambda: m.reader(2) is not None, 2, message="background sync")


def test_stop_joins_every_thread_promptly(settings, mjpeg_server, refused_url):
    rows = [row(i) for i in range(1, 11)] + [row(20, mjpeg_server.url("/stream")), row(21, refused_url),
                                              row(22, mjpeg_server.url("/stall?n=2"))]
    m = CameraManager(lambda: rows, settings=settings.replace(sync_interval_s=0.2)).start()
    wait_until(lambda: m.reader(20).health.frames > 0, 3, message="stream running")
    v = m.open_viewer(20)
    t0 = time.monotonic()
    m.stop()
    # every reader is told at once, then joined: far less than one bounded read per camera in turn
    assert time.monotonic() - t0 < len(rows) * settings.read_timeout_s / 2
    assert not camera_threads()
    assert v.next_frame(0.1) is None  # viewers are released, not left waiting
    wait_until(lambda: mjpeg_server.open_streams == 0, 2, message="sockets closed")


def test_snapshot_is_stored_with_camera_and_time(settings):
    with CameraManager(lambda: [row(4, name="Jembatan Merah Putih")], settings=settings) as m:
        asked = time.time()
        rec = m.snapshot(4)
        # the frame of the moment: at most the reader's "fresh" age (1 s) older than the request
        assert rec.camera_id == 4 and asked - 1.0 <= rec.taken_at <= time.time()
        data = open(rec.path, "rb").read()
        assert decode(data).shape == (settings.demo_size[1], settings.demo_size[0], 3)
        assert [r.filename for r in m.snapshots.list(4)] == [rec.filename]
        assert rec.filename.endswith("_cam4.jpg") and len(rec.sha256) == 64


def test_snapshot_of_dead_camera_says_why(settings, refused_url):
    import pytest

    from cameras.manager import NoFrame

    with CameraManager(lambda: [row(5, refused_url)], settings=settings) as m:
        with pytest.raises(NoFrame, match="refused"):
            m.snapshot(5, timeout=0.5)


# ----------------------------------------------------------------------- health rules
def test_classify_rules(settings):
    now = 1000.0
    kw = dict(now=now, fps=10.0, streaming=True, expected_interval_s=0.1, last_reconnect_ts=None, settings=settings)
    assert classify(last_frame_ts=None, **kw)[0] == OFFLINE
    assert classify(last_frame_ts=now - 0.1, **kw)[0] == ONLINE
    assert classify(last_frame_ts=now - settings.offline_after_s - 1, **kw)[0] == OFFLINE
    assert classify(last_frame_ts=now - settings.stall_after_s - 0.1, **kw)[0] == DEGRADED
    assert classify(last_frame_ts=now, **{**kw, "fps": 0.5})[0] == DEGRADED
    assert classify(last_frame_ts=now, **{**kw, "last_reconnect_ts": now - 0.1})[0] == DEGRADED


def test_uptime_from_recorded_intervals(settings):
    t = {"now": 0.0}
    h = HealthTracker(1, settings.replace(offline_after_s=10, stall_after_s=5, degraded_window_s=0), clock=lambda: t["now"])
    # online for 10 h (a frame every second, sampled each minute), then dead for 14 h
    while t["now"] < 10 * 3600:
        h.on_frame(t["now"])
        h.snapshot()
        t["now"] += 60
    t["now"] = 24 * 3600
    snap = h.snapshot()
    assert snap["status"] == OFFLINE
    assert abs(snap["uptime_24h"] - 10 / 24) < 0.01
    assert abs(snap["uptime_7d"] - 10 / 24) < 0.01  # only the watched time counts
    t["now"] = DAY * 8
    assert h.snapshot()["uptime_24h"] == 0.0


def test_worst_first():
    recs = [{"camera_id": 1, "status": ONLINE}, {"camera_id": 2, "status": OFFLINE, "last_frame_ts": 50},
            {"camera_id": 3, "status": DEGRADED}, {"camera_id": 4, "status": OFFLINE, "last_frame_ts": None}]
    assert [r["camera_id"] for r in worst_first(recs)] == [4, 2, 3, 1]
    # online cameras keep their order (by id) whatever their latest frame: the list does not reshuffle
    online = [{"camera_id": i, "status": ONLINE, "last_frame_ts": 100 - i} for i in (5, 6, 7)]
    assert [r["camera_id"] for r in worst_first(online[::-1])] == [5, 6, 7]


def test_editing_a_cameras_url_keeps_its_health_history(settings):
    rows = [row(1, "demo://1")]
    with CameraManager(lambda: rows, settings=settings) as m:
        wait_until(lambda: m.reader(1).health.frames > 0, 3, message="first frame")
        before = m.health(1)
        rows[0] = row(1, "demo://7")
        assert m.sync().restarted == [1]
        after = m.health(1)
        assert after["last_frame_ts"] >= before["last_frame_ts"] and after["uptime_24h"] is not None
        assert after["frames"] >= before["frames"], "the new URL continues the camera's record"
