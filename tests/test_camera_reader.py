"""Reader threads: fan-out, idle stop, failures with backoff, thumbnails and health published."""
from __future__ import annotations

import time

import pytest

from config.cameras import CameraSpec
from cameras.health import DEGRADED, OFFLINE, ONLINE
from cameras.keys import CacheKeys
from cameras.reader import CameraReader, backoff_delay
from cameras.thumbnails import Publisher, make_default_cache
from tests.conftest import H264_GOP, decode, wait_until
from tests.helpers.clips import frame_index


def make_reader(url, settings, cid=1, cache=None):
    cache = cache if cache is not None else make_default_cache()
    spec = CameraSpec(id=cid, name=f"Kamera {cid}", kind="road", stream_url=url)
    return CameraReader(spec, settings, Publisher(cache, settings)), cache


def test_two_viewers_share_one_decode(settings, mjpeg_server):
    reader, _ = make_reader(mjpeg_server.url("/stream?fps=30"), settings.replace(thumbnail_period_s=None))
    reader.start()
    try:
        with reader.open_viewer() as a, reader.open_viewer() as b:
            seen_a, seen_b = [], []
            while len(seen_a) < 10:
                fa, fb = a.next_frame(2.0), b.next_frame(2.0)
                assert fa is not None and fb is not None
                seen_a.append(fa)
                seen_b.append(fb)
            # the very same decoded frames reach both viewers
            assert {f.seq for f in seen_a} & {f.seq for f in seen_b}
            shared = {id(f) for f in seen_a} & {id(f) for f in seen_b}
            assert shared
            # a frame's JPEG is encoded once for everybody
            f = seen_a[-1]
            assert f.jpeg(75) is f.jpeg(75)
        assert mjpeg_server.connections["/stream"] == 1, "one stream per camera, whatever the viewers"
        assert reader.decoded <= max(f.seq for f in seen_a) + 1
    finally:
        reader.stop()


def test_reader_stops_decoding_when_nobody_needs_frames(settings, mjpeg_server):
    reader, cache = make_reader(mjpeg_server.url("/stream?fps=30"), settings.replace(thumbnail_period_s=None))
    reader.start()
    try:
        assert not reader.source_open  # nobody asked: no connection at all
        assert mjpeg_server.connections["/stream"] == 0
        with reader.open_viewer() as v:
            assert v.next_frame(2.0) is not None
            assert reader.source_open
        wait_until(lambda: not reader.source_open, 2.0, message="idle stop")
        wait_until(lambda: mjpeg_server.open_streams == 0, 2.0, message="server to see the disconnect")
        decoded = reader.decoded
        published = reader.health_snapshot()["published_ts"]
        cache_health = lambda: (h := cache.get(CacheKeys().health(1))) and h["published_ts"]  # noqa: E731
        wait_until(lambda: (cache_health() or 0) > published, 3.0, message="the idle reader to go round its loop")
        mark = cache_health()
        wait_until(lambda: cache_health() > mark, 3.0, message="another idle round")
        assert reader.decoded == decoded
        assert reader.health_snapshot()["idle"]
    finally:
        reader.stop()


def test_demo_reader_renders_only_when_needed(settings):
    reader, cache = make_reader("demo://3", settings.replace(thumbnail_period_s=0.5), cid=3)
    reader.start()
    try:
        wait_until(lambda: reader._thumbs >= 3, 5.0, message="three thumbnails")
        assert reader.decoded <= reader._thumbs + 1, "one render per thumbnail period, not a frame rate"
        with reader.open_viewer() as v:
            thumbs, decoded = reader._thumbs, reader.decoded
            got = sum(v.next_frame(2.0) is not None for _ in range(5))
            # live at demo_fps while watched: more renders than thumbnails
            assert got == 5 and reader.decoded - decoded >= 4 and reader._thumbs - thumbs < 5
    finally:
        reader.stop()


def test_thumbnail_and_health_published(settings, mjpeg_server):
    reader, cache = make_reader(mjpeg_server.url("/stream"), settings, cid=5)
    keys = CacheKeys()
    reader.start()
    try:
        first = wait_until(lambda: cache.get(keys.thumb(5)), 3.0, message="thumbnail")
        img = decode(first["jpeg"])
        assert img.shape[1] == settings.thumbnail_width == first["width"]
        second = wait_until(lambda: (t := cache.get(keys.thumb(5))) and t["seq"] > first["seq"] and t, 3.0,
                            message="thumbnail refresh")
        assert second["ts"] > first["ts"]
        with reader.open_viewer():  # the frame rate is measured while the stream is watched
            health = wait_until(lambda: (h := cache.get(keys.health(5))) and h["status"] == ONLINE and h["fps"] and h, 3.0,
                                message="online health with a frame rate")
        assert health["fps"] > 5
        assert health["last_frame_ts"] and health["last_error"] is None
    finally:
        reader.stop()


def test_refused_url_reports_offline_and_retries_with_backoff(settings, refused_url):
    reader, cache = make_reader(refused_url, settings, cid=8)
    reader.start()
    try:
        health = wait_until(lambda: (h := cache.get(CacheKeys().health(8))) and h["last_error"] and h, 2.0,
                            message="error in health")
        assert health["status"] == OFFLINE
        assert "refused" in health["last_error"]
        # backoff (base 0.05 s, cap 0.3 s): retries, not a busy loop: failures 1 to 3 are at least
        # 0.025 + 0.05 s apart (a loaded machine only makes the gap longer)
        wait_until(lambda: reader._failures >= 1, 3.0, message="first failure")
        first = time.monotonic()
        wait_until(lambda: reader._failures >= 3, 3.0, message="third failure")
        assert time.monotonic() - first >= 0.05
    finally:
        reader.stop(join=False)
        assert reader.join(settings.open_timeout_s), "a reader in backoff ends at once when asked"


def test_stall_midway_turns_degraded_then_reconnects(settings, mjpeg_server):
    reader, cache = make_reader(mjpeg_server.url("/stall?n=5"), settings, cid=9)
    reader.start()
    viewer = reader.open_viewer()  # watched live: the stream stays open between thumbnails
    try:
        wait_until(lambda: reader.health.frames >= 5, 3.0, message="first frames")
        statuses = set()

        def saw_stall():
            h = reader.health_snapshot()
            statuses.add(h["status"])
            return h["last_error"] and "stalled" in h["last_error"]

        wait_until(saw_stall, 3.0, message="stall reported")
        assert DEGRADED in statuses or OFFLINE in statuses
        wait_until(lambda: mjpeg_server.connections["/stall"] >= 2, 3.0, message="reconnect")
    finally:
        viewer.close()
        reader.stop()


def test_file_that_is_not_video_reports_error(settings, not_video_file):
    reader, _ = make_reader(not_video_file.name, settings, cid=4)
    reader.start()
    try:
        wait_until(lambda: reader.health.last_error, 3.0, message="error")
        assert "cannot open video file" in reader.health.last_error
        assert reader.health_snapshot()["status"] == OFFLINE
        assert reader.alive
    finally:
        reader.stop()


def test_video_file_reader(settings, video_file):
    reader, cache = make_reader(video_file.name, settings, cid=6)
    reader.start()
    try:
        thumb = wait_until(lambda: cache.get(CacheKeys().thumb(6)), 3.0, message="thumbnail")
        assert decode(thumb["jpeg"]).shape[1] == 320
    finally:
        reader.stop()


def test_rtsp_reader(settings, rtsp_url):
    reader, cache = make_reader(rtsp_url, settings.replace(read_timeout_s=3.0, open_timeout_s=5.0), cid=7)
    reader.start()
    try:
        thumb = wait_until(lambda: cache.get(CacheKeys().thumb(7)), 8.0, message="RTSP thumbnail")
        assert decode(thumb["jpeg"]).shape == (240, 320, 3)
        with reader.open_viewer() as v:
            a = v.next_frame(3.0)
            b = v.next_frame(3.0)
            assert a is not None and b is not None and b.seq > a.seq
    finally:
        reader.stop()


@pytest.mark.parametrize("camera", ["h264_file", "rtsp_h264_url"])
def test_an_unwatched_h264_camera_decodes_key_frames_only_and_a_watched_one_every_frame(settings, request, camera):
    """Thumbnails of a camera nobody watches cost one decoded key frame each; live view decodes every frame."""
    source = request.getfixturevalue(camera)
    if camera == "h264_file":  # 640x360
        url, settings, size = source.name, settings.replace(media_root=source.parent), (180, 320, 3)
    else:  # 320x240, live
        url, settings, size = source, settings.replace(read_timeout_s=3.0, open_timeout_s=5.0), (240, 320, 3)
    reader, cache = make_reader(url, settings, cid=12)
    reader.start()
    try:
        thumbs: dict[int, dict] = {}

        def three_thumbnails() -> bool:
            if thumb := cache.get(CacheKeys().thumb(12)):
                thumbs[thumb["seq"]] = thumb
            return len(thumbs) >= 3

        wait_until(three_thumbnails, 20.0, message="three thumbnails")
        pictures = [decode(t["jpeg"]) for t in thumbs.values()]
        assert all(p.shape == size for p in pictures) and all(p.std() > 20 for p in pictures), "real pictures, scaled"
        if camera == "h264_file":
            assert all(frame_index(p) % H264_GOP == 0 for p in pictures), "thumbnails of key frames"
        assert reader.frames_decoded == reader.key_frames_decoded >= 3, "nothing decoded but key frames"
        with reader.open_viewer() as viewer:
            frames = [viewer.next_frame(3.0) for _ in range(20)]
        assert all(frames) and len({f.seq for f in frames}) == 20
        # twenty pictures shown: at most three of them key frames (one in ten)
        assert reader.frames_decoded - reader.key_frames_decoded >= 17, "a watched camera decodes every frame"
    finally:
        reader.stop()


def test_backoff_grows_with_jitter_and_is_capped():
    import random

    rng = random.Random(1)
    d = [backoff_delay(n, 1.0, 30.0, rng) for n in range(1, 10)]
    assert 0.5 <= d[0] <= 1.0
    assert 4.0 <= d[3] <= 8.0
    assert all(x <= 30.0 for x in d) and d[-1] >= 15.0
    assert len({round(backoff_delay(3, 1.0, 30.0, rng), 6) for _ in range(5)}) > 1  # jittered


@pytest.mark.parametrize("viewers", [1, 5])
def test_viewer_count_does_not_change_decoding(settings, mjpeg_server, viewers):
    reader, _ = make_reader(mjpeg_server.url("/stream?fps=20"), settings.replace(thumbnail_period_s=None))
    reader.start()
    try:
        vs = [reader.open_viewer() for _ in range(viewers)]
        seqs = [[f.seq for _ in range(10) if (f := v.next_frame(2.0)) is not None] for v in vs for _ in [0]]
        assert all(seqs), "every viewer gets frames"
        # one decode per frame of the camera, whatever the number of viewers
        assert reader.decoded <= max(max(s) for s in seqs) + 1
        for v in vs:
            v.close()
    finally:
        reader.stop()


def test_one_process_makes_a_cameras_thumbnails_and_another_takes_over_when_it_stops(settings):
    """Two readers of one camera sharing a cache, as two web workers sharing Redis: only the holder
    of the camera's monitor lease decodes for thumbnails; when it stops, the other takes over."""
    first, cache = make_reader("demo://1", settings)
    second, _ = make_reader("demo://1", settings, cache=cache)
    keys = CacheKeys()
    first.start()
    try:
        wait_until(lambda: (cache.get(keys.thumb(1)) or {}).get("by") == first.publisher.token, 5.0, message="first thumbnail")
        second.start()
        makers = set()
        thumbs = first._thumbs

        def five_more_thumbnails() -> bool:
            makers.add(cache.get(keys.thumb(1))["by"])
            return first._thumbs >= thumbs + 5

        wait_until(five_more_thumbnails, 10.0, message="five thumbnail periods")
        assert makers == {first.publisher.token} and second.decoded == 0  # the second decodes nothing
        first.stop()
        # the lease lapses after two periods (at least 2 s): then the second makes the thumbnails
        wait_until(lambda: cache.get(keys.thumb(1))["by"] == second.publisher.token, 5.0, message="the second to take over")
        assert second.decoded > 0 and cache.get(keys.health(1))["status"] == ONLINE
    finally:
        first.stop()
        second.stop()


def test_an_unwatched_stream_is_closed_between_thumbnails(settings, mjpeg_server):
    """A keep-open window longer than the thumbnail period (1 s against 0.3 s here) no longer keeps
    an unwatched camera decoding: the stream closes after each thumbnail and reopens for the next."""
    reader, cache = make_reader(mjpeg_server.url("/stream?fps=30"), settings, cid=11)
    reader.start()
    try:
        wait_until(lambda: reader._thumbs >= 1, 5.0, message="first thumbnail")
        wait_until(lambda: not reader.source_open and mjpeg_server.open_streams == 0, 5.0, message="the stream closed after it")
        thumbs = reader._thumbs
        wait_until(lambda: reader._thumbs >= thumbs + 2, 5.0, message="thumbnails going on")
        assert reader.health_snapshot()["reason"] != "reconnected", "a planned reopen is no reconnect"
    finally:
        reader.stop()


def test_a_reader_that_makes_no_thumbnails_closes_its_stream_when_its_viewer_leaves(settings, mjpeg_server):
    """A process that does not hold the camera's thumbnail lease used to push its next-thumbnail
    time ahead and keep the stream open for good; now it closes when its last viewer leaves."""
    url = mjpeg_server.url("/stream?fps=30")
    holder, cache = make_reader("demo://12", settings, cid=12)
    other, _ = make_reader(url, settings, cid=12, cache=cache)
    holder.start()
    try:
        wait_until(lambda: holder._thumbs >= 1, 5.0, message="the holder's first thumbnail")
        other.start()
        with other.open_viewer() as viewer:
            assert viewer.next_frame(3.0) is not None
        wait_until(lambda: not other._monitor and not other.source_open and mjpeg_server.open_streams == 0, 5.0,
                   message="the non-holder's stream closed")
    finally:
        holder.stop()
        other.stop()
