"""Sources decode real streams: HTTP MJPEG, HTTP snapshot, local video files (MJPEG, H.264), RTSP
(RTP/JPEG, H.264), demo."""
from __future__ import annotations

import time

import numpy as np
import pytest

from config.cameras import CameraSpec, ConfigError, parse_spec, redact_url
from cameras.sources import SourceError, open_source
from tests.conftest import H264_FRAMES, H264_GOP
from tests.helpers.clips import frame_index


def spec(url: str, cid: int = 1, kind: str = "road") -> CameraSpec:
    return CameraSpec(id=cid, name=f"Kamera {cid}", kind=kind, stream_url=url)


def test_demo_renders_a_moving_scene(settings):
    src = open_source(spec("demo://1"), settings)
    assert src.pull
    a = src.read()
    time.sleep(0.15)
    b = src.read()
    assert a.shape == (settings.demo_size[1], settings.demo_size[0], 3)
    assert not np.array_equal(a, b), "the demo scene must move"
    src.close()


def test_http_mjpeg_stream_decodes(settings, mjpeg_server):
    src = open_source(spec(mjpeg_server.url("/stream")), settings)
    try:
        assert not src.pull
        frames = [src.read() for _ in range(3)]
        assert all(f.shape == (120, 160, 3) for f in frames)
        assert not np.array_equal(frames[0], frames[2])
    finally:
        src.close()


def test_http_frames_wider_than_the_cap_are_downscaled(settings, mjpeg_server):
    src = open_source(spec(mjpeg_server.url("/stream?w=1280&h=720")), settings.replace(max_frame_width=320))
    try:
        assert src.read().shape == (180, 320, 3)
    finally:
        src.close()


def test_http_snapshot_url_is_polled(settings, mjpeg_server):
    src = open_source(spec(mjpeg_server.url("/snapshot.jpg")), settings)
    assert src.pull
    a, b = src.read(), src.read()
    assert a.shape == b.shape == (120, 160, 3)
    assert mjpeg_server.connections["/snapshot.jpg"] == 2  # one GET per frame
    src.close()


def test_http_not_a_camera_is_a_clear_error(settings, mjpeg_server):
    with pytest.raises(SourceError, match="neither an MJPEG stream") as wrong:
        open_source(spec(mjpeg_server.url("/page")), settings)
    assert wrong.value.code == "not_video"


def test_http_404_is_a_clear_error(settings, mjpeg_server):
    with pytest.raises(SourceError, match="HTTP 404") as refused:
        open_source(spec(mjpeg_server.url("/nope")), settings)
    assert refused.value.code == "http_error"


def test_refused_url_fails_fast(settings, refused_url):
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="refused") as refused:
        open_source(spec(refused_url), settings)
    assert time.monotonic() - t0 < 1.0 and refused.value.code == "no_connection"


def test_stream_that_stalls_midway_times_out(settings, mjpeg_server):
    src = open_source(spec(mjpeg_server.url("/stall?n=3")), settings)
    try:
        for _ in range(3):
            src.read()
        t0 = time.monotonic()
        with pytest.raises(SourceError, match="stalled"):
            src.read()
        assert time.monotonic() - t0 < settings.read_timeout_s + 1.0
    finally:
        src.close()


def test_video_file_decodes_and_loops(settings, video_file):
    src = open_source(spec(video_file.name), settings)  # relative to media_root
    try:
        frames = [src.read() for _ in range(30)]  # the clip has 20 frames: it must loop
        assert all(f.shape == (120, 160, 3) for f in frames)
        assert abs(float(frames[0].mean()) - float(frames[20].mean())) < 3  # frame 20 is frame 0 again
        assert src.nominal_fps == pytest.approx(100, rel=0.01)
    finally:
        src.close()


def test_file_url_works_too(settings, video_file):
    src = open_source(spec(f"file://{video_file}"), settings)
    assert src.read().shape == (120, 160, 3)
    src.close()


def test_file_that_is_not_video_is_a_clear_error(settings, not_video_file):
    with pytest.raises(SourceError, match="cannot open video file"):
        open_source(spec(not_video_file.name), settings)


def test_missing_file_is_a_clear_error(settings):
    with pytest.raises(SourceError, match="not found"):
        open_source(spec("absent.mp4"), settings)


def test_file_outside_media_folder_is_refused(settings):
    with pytest.raises(SourceError, match="outside the media folder"):
        open_source(spec("/etc/passwd"), settings)


def test_rtsp_stream_decodes(settings, rtsp_url):
    src = open_source(spec(rtsp_url), settings.replace(read_timeout_s=3.0, open_timeout_s=5.0))
    try:
        frames = [src.read() for _ in range(5)]
        assert frames[0].shape == (240, 320, 3)
        assert not np.array_equal(frames[0], frames[4])  # the ball moves
    finally:
        src.close()


def test_h264_file_decodes_only_key_frames_while_nobody_watches(settings, h264_file):
    src = open_source(spec(h264_file.name), settings.replace(media_root=h264_file.parent))
    try:
        assert src.key_frames_only  # until the reader says someone watches
        pictures = [src.read() for _ in range(4)]
        assert all(p.shape == (360, 640, 3) for p in pictures)
        numbers = [frame_index(p) for p in pictures]
        assert all(n % H264_GOP == 0 for n in numbers), f"pictures of frames {numbers}: key frames only"
        assert len(set(numbers)) == 4  # one after the other, not the same one again
        assert src.frames_decoded == src.key_frames_decoded == 4, "nothing but the four key frames decoded"
    finally:
        src.close()


def test_h264_file_decodes_every_frame_while_watched(settings, h264_file):
    src = open_source(spec(h264_file.name), settings.replace(media_root=h264_file.parent))
    try:
        src.key_frames_only = False
        numbers = [frame_index(src.read()) for _ in range(2 * H264_GOP)]
        steps = {(b - a) % H264_FRAMES for a, b in zip(numbers, numbers[1:])}
        assert steps == {1}, f"frames {numbers}: each one in turn"
        assert src.frames_decoded == 2 * H264_GOP and src.key_frames_decoded <= 3
    finally:
        src.close()


def test_a_reopened_file_starts_at_a_key_frame(settings, h264_file):
    """A file plays as if live: opened where the clock is, at the key frame before, whose picture
    comes at once (watched or not)."""
    for watched in (False, True):
        before = time.time()
        src = open_source(spec(h264_file.name), settings.replace(media_root=h264_file.parent))
        try:
            src.key_frames_only = not watched
            first = frame_index(src.read())
            # the key frame before the clip's frame at the clock (100 fps) of some instant of the open
            keys = {int(t * 100) % H264_FRAMES // H264_GOP * H264_GOP for t in np.arange(before, time.time() + 0.01, 0.01)}
            assert first in keys and src.frames_decoded == 1
        finally:
            src.close()


def test_rtsp_h264_decodes_key_frames_only_until_someone_watches(settings, rtsp_h264_url):
    src = open_source(spec(rtsp_h264_url), settings.replace(read_timeout_s=3.0, open_timeout_s=5.0))
    try:
        pictures = [src.read() for _ in range(3)]
        assert all(p.shape == (240, 320, 3) for p in pictures)
        assert not np.array_equal(pictures[0], pictures[2])  # the ball moves
        assert src.frames_decoded == src.key_frames_decoded == 3
        src.key_frames_only = False  # someone watches: every frame, from the next key frame on
        watched = [src.read() for _ in range(15)]
        assert src.frames_decoded == 3 + 15 and src.key_frames_decoded <= 3 + 3
        assert not np.array_equal(watched[0], watched[1])
    finally:
        src.close()


def test_rtsp_refused_is_a_clear_error(settings, refused_url):
    url = refused_url.replace("http://", "rtsp://")
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="cannot open stream"):
        open_source(spec(url), settings)
    assert time.monotonic() - t0 < settings.open_timeout_s + 1.0


# ----------------------------------------------------------------------- spec validation
def test_spec_validation_messages(settings):
    ok = parse_spec({"id": "7", "name": " Pasar Mardika ", "kind": "tps", "stream_url": "demo://7",
                     "heading_deg": "90", "kecamatan": "Sirimau"}, settings)
    assert (ok.id, ok.name, ok.heading_deg, ok.kecamatan) == (7, "Pasar Mardika", 90.0, "Sirimau")
    bad = [
        ({"id": "x", "name": "a", "kind": "road", "stream_url": "demo://1"}, "id must be an integer"),
        ({"id": 1, "name": "", "kind": "road", "stream_url": "demo://1"}, "name is missing"),
        ({"id": 1, "name": "a", "kind": "lake", "stream_url": "demo://1"}, "kind must be one of"),
        ({"id": 1, "name": "a", "kind": "road", "stream_url": "ftp://h/x"}, "scheme 'ftp' is not supported"),
        ({"id": 1, "name": "a", "kind": "road", "stream_url": "rtsp:///x"}, "has no host"),
        ({"id": 1, "name": "a", "kind": "road", "stream_url": "demo://1", "fov_deg": "wide"}, "fov_deg must be a number"),
        ({"id": 1, "name": "a", "kind": "road", "stream_url": "../x.mp4"}, "outside the media folder"),
    ]
    for raw, msg in bad:
        with pytest.raises(ConfigError, match=msg):
            parse_spec(raw, settings)


def test_passwords_never_leave_in_messages():
    assert redact_url("rtsp://admin:secret@10.0.0.5:554/s1") == "rtsp://admin:***@10.0.0.5:554/s1"
    assert redact_url("http://10.0.0.5/snap.jpg") == "http://10.0.0.5/snap.jpg"


def test_every_kind_of_camera_trouble_has_words_for_operators():
    from cameras.sources import ERROR_CODES
    from i18n import LANGUAGES, TEXT

    assert all(lang in TEXT[f"cam.error.{code}"] for code in ERROR_CODES for lang in LANGUAGES)
