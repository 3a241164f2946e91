"""Cameras added, edited and removed by an admin: validated, stored, and picked up by the camera
readers through CameraManager.sync without a restart."""
from __future__ import annotations

from functools import partial

import pytest

from cameras import CameraManager
from config.cameras import ConfigError
from store.cameras import camera_specs, delete_camera, list_cameras, save_camera, validate_camera

GOOD = {"name": "CCTV Pasar Mardika", "kind": "road", "group": "lalu_lintas", "lon": 128.1825, "lat": -3.6905,
        "heading_deg": 90, "fov_deg": 60, "range_m": 80, "stream_url": "demo://pasar"}


@pytest.mark.parametrize("change,message", [
    ({"stream_url": "file:///etc/passwd"}, "outside the media folder"),
    ({"stream_url": "ftp://example.org/cam"}, "not supported"),
    ({"stream_url": "rtsp:///nohost"}, "no host"),
    ({"kind": "drone"}, "kind must be"),
    ({"group": "Lalu Lintas!"}, "group"),
    ({"lat": "north"}, "numbers"),
    ({"fov_deg": 400}, "fov_deg"),
])
def test_bad_camera_input_is_refused_with_a_reason(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message):
        validate_camera({**GOOD, **change}, tmp_path)


def test_file_sources_only_under_the_media_folder(tmp_path):
    assert validate_camera({**GOOD, "stream_url": "clips/pasar.mp4"}, tmp_path)["stream_url"] == "clips/pasar.mp4"
    assert validate_camera({**GOOD, "stream_url": f"file://{tmp_path}/pasar.mp4"}, tmp_path)


def test_edits_reach_the_camera_readers_without_restart(engine, settings):
    manager = CameraManager(partial(camera_specs, engine), settings=settings.replace(sync_interval_s=0)).start()
    try:
        assert manager.cameras() == []
        camera_id = save_camera(engine, None, validate_camera(GOOD, settings.media_root))
        assert manager.sync().added == [camera_id]
        assert list_cameras(engine)[0]["group"] == "lalu_lintas"
        save_camera(engine, camera_id, validate_camera({**GOOD, "name": "CCTV Pasar Mardika 2"}, settings.media_root))
        assert manager.sync().restarted == [camera_id]  # a demo scene draws the name: restarted
        assert manager.spec(camera_id).name == "CCTV Pasar Mardika 2"
        assert delete_camera(engine, camera_id) and not delete_camera(engine, camera_id)
        assert manager.sync().removed == [camera_id]
        with pytest.raises(ConfigError, match="no such camera"):
            save_camera(engine, camera_id, validate_camera(GOOD, settings.media_root))
    finally:
        manager.stop()
