"""Camera HTTP routes: thumbnails, live MJPEG, snapshots, health.

Register once on the Dash app's Flask server::

    from routes.cameras import init_camera_routes
    init_camera_routes(app.server, manager, cache)            # manager may be None in web-only workers

URLs (prefix /cameras by default):

    GET  /cameras/                                  camera list (public specs + config errors), JSON
    GET  /cameras/health                            health of every camera, worst first, JSON
    GET  /cameras/<id>/health                       one camera's health, JSON
    GET  /cameras/<id>/thumbnail.jpg?t=<anything>   latest thumbnail (or the OFFLINE card), JPEG
    GET  /cameras/<id>/live.mjpg[?fps=5]            live view, multipart/x-mixed-replace MJPEG
    POST /cameras/<id>/snapshot                     store the current frame as evidence → 201 JSON
    GET  /cameras/<id>/snapshots                    stored snapshots of the camera, JSON
    GET  /cameras/<id>/snapshots/<file>.jpg         one stored snapshot
    GET  /cameras/archive/<uid>/snapshots[/<file>]  evidence filed under a camera's permanent uid,
                                                    also after the camera was deleted (admins)

Thumbnails and health are read from the cache (any worker can answer); live view and snapshots come
from the camera's reader in this process when it runs here (the in-process channel), else through
the Redis relay from the camera service instance that runs it (cameras/relay.py), else 503. Every request passes
through one permission hook, `authorize(action, camera_id)` given to init_camera_routes.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import cv2
import numpy as np
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, send_file, url_for

from config.cameras import CameraSettings
from cameras.board import CameraBoard, offline_since
from cameras.keys import CacheKeys
from cameras.live import MIMETYPE
from config.cameras import CameraSpec
from cameras.manager import CameraManager, NoFrame, UnknownCamera
from cameras.relay import RedisLive
from cameras.snapshots import SnapshotStore, folder_key
from cameras.thumbnails import offline_card, resolve_cache

EXT_KEY = "ambon_cameras"
cameras_bp = Blueprint("cameras", __name__)

Authorize = Callable[[str, "int | None"], bool]


@dataclass
class CameraRoutesState:
    board: CameraBoard
    authorize: Authorize | None
    relay: RedisLive | None = None
    """Live frames of cameras whose reader runs in another process (None without Redis)."""


def init_camera_routes(
    server: Flask,
    manager: CameraManager | None,
    cache: Any = None,
    *,
    settings: CameraSettings | None = None,
    keys: CacheKeys | None = None,
    authorize: Authorize | None = None,
    url_prefix: str = "/cameras",
    relay: RedisLive | None = None,
    outage_starts: Callable[[list[int]], dict[int, float]] | None = None,
) -> CameraRoutesState:
    """Attach the camera routes to `server`. `cache` defaults to the manager's cache; `authorize`
    (action, camera_id) -> bool is the single permission hook (actions: list, health, thumbnail,
    live, snapshot, snapshot_read); `outage_starts`: see CameraBoard.outage_starts."""
    if manager is None and cache is None and relay is None:
        raise ValueError("init_camera_routes needs a manager or a cache to read from")
    board = CameraBoard(
        cache=resolve_cache(cache if cache is not None else manager.cache),  # type: ignore[union-attr]
        settings=settings or (manager.settings if manager else CameraSettings()),
        keys=keys or (manager.keys if manager else CacheKeys()),
        manager=manager,
        outage_starts=outage_starts,
    )
    state = CameraRoutesState(board=board, authorize=authorize, relay=relay)
    server.extensions[EXT_KEY] = state
    server.register_blueprint(cameras_bp, url_prefix=url_prefix)
    return state


def _state() -> CameraRoutesState:
    return current_app.extensions[EXT_KEY]


_ACTIONS = {
    "cameras.index": "list", "cameras.health_all": "health", "cameras.health_one": "health",
    "cameras.thumbnail": "thumbnail", "cameras.live": "live", "cameras.snapshot": "snapshot",
    "cameras.snapshot_list": "snapshot_read", "cameras.snapshot_file": "snapshot_read",
    "cameras.archive_list": "archive", "cameras.archive_file": "archive",
}


def camera_allowed(action: str, camera_id: int | None = None) -> bool:
    """Whether the current request may do `action` (list, health, thumbnail, live, snapshot,
    snapshot_read) on a camera: the same hook the routes ask, for callbacks that show cameras."""
    auth = _state().authorize
    return auth is None or auth(action, camera_id)


@cameras_bp.before_request
def _permission_hook() -> Any:
    """The one place a permission check hooks in (authentication comes with another issue)."""
    auth = _state().authorize
    if auth is None:
        return None
    action = _ACTIONS.get(request.endpoint or "", "other")
    cid = (request.view_args or {}).get("camera_id")
    if not auth(action, cid):
        return _error(403, f"not allowed: {action}")
    return None


def _error(status: int, message: str) -> Response:
    resp = jsonify(error=message)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _board() -> CameraBoard:
    return _state().board


def _with_urls(record: dict[str, Any]) -> dict[str, Any]:
    cid = record["camera_id"]
    return {**record, "thumbnail_url": url_for("cameras.thumbnail", camera_id=cid), "live_url": url_for("cameras.live", camera_id=cid)}


@cameras_bp.get("/")
def index() -> Response:
    """The camera list; stream URLs (where a camera is, what its snapshot URL carries) for admins only."""
    cameras = _board().index()
    if not camera_allowed("stream_url"):
        cameras = [{k: v for k, v in camera.items() if k not in ("stream_url", "group")} for camera in cameras]
    return jsonify(cameras=cameras)


@cameras_bp.get("/health")
def health_all() -> Response:
    resp = jsonify(cameras=[_with_urls(r) for r in _board().all_health()], generated_ts=time.time())
    resp.headers["Cache-Control"] = "no-store"
    return resp


@cameras_bp.get("/<int:camera_id>/health")
def health_one(camera_id: int) -> Response:
    board = _board()
    cam = board.camera(camera_id)
    if cam is None and board.health(camera_id) is None:
        return _error(404, f"unknown camera {camera_id}")
    resp = jsonify(_with_urls(board.describe(camera_id, cam)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@cameras_bp.get("/<int:camera_id>/thumbnail.jpg")
def thumbnail(camera_id: int) -> Response:
    """The latest thumbnail while fresh; the OFFLINE card when the last good frame is older than
    offline_after_s (or there is none). ?placeholder=0 answers 503 instead of the card."""
    st = _state()
    thumb = st.board.thumbnail(camera_id)
    cam = st.board.camera(camera_id) if thumb is None else None  # a published thumbnail needs no index read
    if thumb is None and cam is None:
        return _error(404, f"unknown camera {camera_id}")
    if thumb is None and st.board.manager is not None and not (st.board.health(camera_id) or {}).get("last_error"):
        # nobody has asked for this camera yet and its first thumbnail is not made: make it now
        # from the reader's frame rather than answer with the grey card until the next refresh
        thumb = st.board.manager.first_thumbnail(camera_id)
    now = time.time()
    period = st.board.settings.thumbnail_period_s or 5.0
    if st.board.fresh(thumb, now):
        age = now - thumb["ts"]
        resp = Response(thumb["jpeg"], mimetype="image/jpeg")
        resp.headers["Cache-Control"] = f"private, max-age={max(1, int(period))}"
        resp.set_etag(f"{camera_id}-{thumb['seq']}-{thumb['ts']:.3f}")
        resp.last_modified = datetime.fromtimestamp(thumb["ts"], timezone.utc)
        resp.headers["X-Frame-Time"] = f"{thumb['ts']:.3f}"
        resp.headers["X-Frame-Age"] = f"{age:.1f}"
        resp.headers["X-Camera-Status"] = "online"
        return resp.make_conditional(request)
    health = st.board.describe(camera_id, cam)  # its outage's start, as every page says it
    frame_ts = thumb["ts"] if thumb else health.get("last_frame_ts")
    since = offline_since(health) or frame_ts
    if request.args.get("placeholder") == "0":
        msg = f"camera {camera_id} offline" + (f" since {since:.0f}" if since else ", no frame yet")
        if health.get("last_error"):
            msg += f": {health['last_error']}"
        return _error(503, msg)
    name = (cam or st.board.camera(camera_id) or {}).get("name") or f"Kamera {camera_id}"
    resp = Response(offline_card(name, since, width=st.board.settings.thumbnail_width), mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-Camera-Status"] = "offline"
    if frame_ts:
        resp.headers["X-Frame-Time"] = f"{frame_ts:.3f}"
    return resp


def _manager_or_503() -> CameraManager | Response:
    m = _state().board.manager
    if m is None:
        return _error(503, "live view and snapshots are served by the process that runs the camera readers")
    return m


def _local(camera_id: int) -> CameraManager | None:
    """This process's manager when it runs the camera's reader (the in-process channel)."""
    m = _state().board.manager
    return m if m is not None and m.reader(camera_id) is not None else None


def _relayed(camera_id: int) -> tuple[RedisLive, dict[str, Any]] | Response:
    """The Redis relay and the camera, for a camera whose reader runs elsewhere; else the error."""
    st = _state()
    if st.relay is None:
        return _error(503, "live view and snapshots are served by the process that runs the camera readers")
    cam = st.board.camera(camera_id)
    if cam is None or cam.get("config_error"):
        return _error(404, f"unknown camera {camera_id}")
    return st.relay, cam


@cameras_bp.get("/<int:camera_id>/live.mjpg")
def live(camera_id: int) -> Response:
    try:
        fps = float(request.args["fps"]) if "fps" in request.args else None
    except ValueError:
        return _error(400, "fps must be a number")
    if fps is not None and not (math.isfinite(fps) and fps > 0):
        return _error(400, "fps must be a number above 0")
    m = _local(camera_id)
    if m is not None:
        try:
            stream = _followed(m, _state().relay, camera_id, m.live_stream(camera_id, fps=fps), fps)
        except UnknownCamera:
            return _error(404, f"unknown camera {camera_id}")
    else:
        found = _relayed(camera_id)
        if isinstance(found, Response):
            return found
        relay, cam = found
        stream = relay.stream(camera_id, cam.get("name") or f"Kamera {camera_id}", fps=fps)
    resp = Response(stream, mimetype=MIMETYPE, direct_passthrough=True)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return resp


def _followed(m: CameraManager, relay: RedisLive | None, camera_id: int, stream, fps: float | None):
    """The in-process stream, then, when the camera moved to another service instance (a worker
    started beside this one takes its share), the same view through the relay."""
    yield from stream
    spec = m.spec(camera_id)
    if relay is not None and spec is not None and m.reader(camera_id) is None:
        yield from relay.stream(camera_id, spec.name, fps=fps)


def _spec_of(cam: dict[str, Any]) -> CameraSpec:
    fields = CameraSpec.__dataclass_fields__
    return CameraSpec(**{k: v for k, v in cam.items() if k in fields})


@cameras_bp.post("/<int:camera_id>/snapshot")
def snapshot(camera_id: int) -> Response:
    m = _local(camera_id)
    board = _board()
    try:
        if m is not None:
            rec = m.snapshot(camera_id)
        else:
            found = _relayed(camera_id)
            if isinstance(found, Response):
                return found
            relay, cam = found
            jpeg = relay.frame(camera_id, board.settings.read_timeout_s + 1.0)
            image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR) if jpeg else None
            if image is None:
                raise NoFrame(f"camera {camera_id} gave no current frame")
            rec = SnapshotStore(board.settings.snapshot_dir).save(_spec_of(cam), image, time.time())
    except UnknownCamera:
        return _error(404, f"unknown camera {camera_id}")
    except NoFrame as exc:
        return _error(503, str(exc))
    body = rec.to_dict()
    body.pop("path", None)  # the server's filesystem stays private
    body["url"] = url_for("cameras.snapshot_file", camera_id=camera_id, filename=rec.filename)
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def _snapshot_list(store: SnapshotStore, key: str, url_of) -> Response:
    items = []
    for rec in store.list(key):
        d = rec.to_dict()
        d.pop("path", None)  # the server's filesystem stays private
        d["url"] = url_of(rec.filename)
        items.append(d)
    return jsonify(snapshots=items)


def _snapshot_file(store: SnapshotStore, key: str, filename: str) -> Response:
    path = store.file(key, filename)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400)


def _camera_folder(camera_id: int) -> str | Response:
    """The snapshot folder of the camera that has this id now (never a deleted one's)."""
    cam = _board().camera(camera_id)
    if cam is None or cam.get("config_error"):
        return _error(404, f"unknown camera {camera_id}")
    return folder_key(_spec_of(cam))


def _snapshots() -> SnapshotStore:
    m = _state().board.manager
    return m.snapshots if m is not None else SnapshotStore(_board().settings.snapshot_dir)


@cameras_bp.get("/<int:camera_id>/snapshots")
def snapshot_list(camera_id: int) -> Response:
    key = _camera_folder(camera_id)
    if isinstance(key, Response):
        return key
    return _snapshot_list(_snapshots(), key, lambda name: url_for("cameras.snapshot_file", camera_id=camera_id, filename=name))


@cameras_bp.get("/<int:camera_id>/snapshots/<filename>")
def snapshot_file(camera_id: int, filename: str) -> Response:
    key = _camera_folder(camera_id)
    if isinstance(key, Response):
        return key
    return _snapshot_file(_snapshots(), key, filename)


@cameras_bp.get("/archive/<uid>/snapshots")
def archive_list(uid: str) -> Response:
    store = SnapshotStore(_board().settings.snapshot_dir)
    return _snapshot_list(store, uid, lambda name: url_for("cameras.archive_file", uid=uid, filename=name))


@cameras_bp.get("/archive/<uid>/snapshots/<filename>")
def archive_file(uid: str, filename: str) -> Response:
    return _snapshot_file(SnapshotStore(_board().settings.snapshot_dir), uid, filename)
