"""Camera pages and the map's camera glue: thumbnails in view, live view, snapshot, wall, health,
marker colours from health. Everything shown is read from cameras.board.CameraBoard."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import dash
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from routes.auth import audit_event, current_account
from callbacks import camera_frames, wall
from callbacks.map_view import map_bbox
from cameras import history
from cameras.health import DAY, DEGRADED, OFFLINE, ONLINE
from cameras.manager import NoFrame, UnknownCamera
from i18n import t
from i18n.format import wit_time
from layouts import camera_views, ids
from routes.cameras import camera_allowed
from routes.language import request_language
from services import current_services
from alerts.camera_history import read_changes
from store import layers
from store.cameras import camera_geojson, selected_sector_geojson
from store.models import Camera

EMPTY_COLLECTION = {"type": "FeatureCollection", "features": []}


def _camera_id(value) -> int | None:
    """A camera id from the browser, or None: it is an int or nothing."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number == value or str(number) == str(value) else None


def camera_histories(engine, now: float | None = None, slots: int = 48) -> dict[int, dict]:
    """Each camera's last 24 hours from its recorded status changes: strip slots, uptime, outages."""
    now = time.time() if now is None else now
    histories = {}
    for cid, changes in read_changes(engine, datetime.fromtimestamp(now - DAY, timezone.utc).replace(tzinfo=None)).items():
        histories[cid] = {"slots": history.strip(changes, now, DAY, slots),
                          "uptime": history.uptime(changes, now, DAY), "observed_s": history.observed(changes, now, DAY), "outages": history.outages(changes, now, DAY),
                          "recorded_since": changes[0][0] if changes[0][0] > now - DAY else None}
    return histories


def refusal(camera_id, action: str = "live") -> str:
    """Why `known` gave None, as an i18n key: a camera that exists but is not the user's to watch
    is "not allowed", anything else "unknown"."""
    camera_id = _camera_id(camera_id)
    exists = camera_id is not None and current_services().camera_board.camera(camera_id) is not None
    return "cam.not_allowed" if exists and not camera_allowed(action, camera_id) else "cam.unknown"


def known(camera_id, action: str = "live") -> int | None:
    """The camera's id when it exists and the user may do `action` on it (checked on the server)."""
    camera_id = _camera_id(camera_id)
    if camera_id is None or current_services().camera_board.camera(camera_id) is None or not camera_allowed(action, camera_id):
        return None
    return camera_id


def visible(records: list[dict]) -> list[dict]:
    """The cameras whose pictures the user may see (footage is granted per camera group)."""
    return [r for r in records if camera_allowed("thumbnail", r["camera_id"])]


def live_layout(id=None, **_query):  # noqa: A002 - the query parameter is called id
    camera_id = known(id)
    return camera_views.live_page(request_language(), camera_id, current_services().thumbnail_period_s(),
                                  refusal(id) if camera_id is None else "cam.unknown")


def health_layout(**_query):
    return camera_views.health_page(request_language(), current_services().thumbnail_period_s())


def register(app: Dash) -> None:
    wall.register(app, visible)
    dash.register_page("kamera-kesehatan", path="/kamera/kesehatan", name="kamera-kesehatan", nav_key="nav.camera_health", order=11,
                       layout=health_layout, permission="camera")
    dash.register_page("kamera-langsung", path="/kamera/langsung", name="kamera-langsung", layout=live_layout, permission="camera",
                       order=12)

    @app.callback(
        Output(ids.CAM_IN_VIEW_SHOWN, "data"),
        Output({"type": ids.CAM_THUMB, "slot": ALL}, "className"),
        Output({"type": ids.CAM_THUMB_IMG, "slot": ALL}, "src"),
        Output({"type": ids.CAM_THUMB_IMG, "slot": ALL}, "alt"),
        Output({"type": ids.CAM_THUMB_TEXT, "slot": ALL}, "children"),
        Output(ids.CAM_IN_VIEW_NOTE, "children"),
        Input(ids.CAM_TICK, "n_intervals"),
        Input(ids.MAP, "bounds"),
        State(ids.CAM_IN_VIEW_SHOWN, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def thumbnails_in_view(_tick, bounds, shown, lang):
        """The first cameras in view, each in its card, updated in place: a picture is sent only
        when its frame (or the camera in the card) changed since the card last showed one."""
        services = current_services()
        board = services.camera_board
        in_view = layers.ids_in_bbox(services.engine, Camera, map_bbox(bounds))  # no bounds yet: the whole city is in view
        records = visible(board.describe_many(in_view))  # one read of the index and of the health records
        cards = records[:camera_views.THUMB_SLOTS]
        slots: list[dict | None] = [*cards, *[None] * (camera_views.THUMB_SLOTS - len(cards))]
        now_shown, pictures = camera_frames.pictures(board, slots, shown)
        before = shown if isinstance(shown, list) and len(shown) == len(slots) else [None] * len(slots)
        names = [no_update if r is None or (was and was[0] == r["camera_id"]) else r.get("name") or f"#{r['camera_id']}"
                 for r, was in zip(slots, before)]
        return (now_shown, [camera_views.slot_class(r) for r in slots], pictures, names,
                [camera_views.slot_text(r, lang) for r in slots], camera_views.in_view_note(len(cards), len(records) - len(cards), lang))

    @app.callback(
        Output(ids.CAMERAS_LAYER, "data"),
        Output(ids.CAM_STATUS_SIGNATURE, "data"),
        Input(ids.CAM_TICK, "n_intervals"),
        State(ids.CAM_STATUS_SIGNATURE, "data"),
    )
    def marker_colours(_tick, signature):
        """Markers are redrawn only when some camera's status changed."""
        services = current_services()
        status_by_id = {r["camera_id"]: r["status"] for r in services.camera_board.all_health()}
        new_signature = ",".join(f"{cid}:{status}" for cid, status in sorted(status_by_id.items()))
        if new_signature == signature:
            return no_update, no_update
        return camera_geojson(services.engine, status_by_id), new_signature

    # Three callbacks, not one: a thumbnail card re-rendered while a marker click is in flight
    # would otherwise supersede that click's request, and the click would be lost.
    @app.callback(
        Output(ids.CAM_SELECTED, "data"),
        Input(ids.CAMERAS_LAYER, "clickData"),
        prevent_initial_call=True,
    )
    def select_from_marker(marker_click):
        return known(((marker_click or {}).get("properties") or {}).get("id")) or no_update

    @app.callback(
        Output(ids.CAM_SELECTED, "data", allow_duplicate=True),
        Input({"type": ids.CAM_THUMB, "slot": ALL}, "n_clicks"),
        State(ids.CAM_IN_VIEW_SHOWN, "data"),
        prevent_initial_call=True,
    )
    def select_from_thumbnail(_thumb_clicks, shown):
        trigger = ctx.triggered_id
        if not (isinstance(trigger, dict) and ctx.triggered[0]["value"]):  # a click, nothing else
            return no_update
        slot = trigger.get("slot")
        card = shown[slot] if isinstance(shown, list) and isinstance(slot, int) and 0 <= slot < len(shown) else None
        camera_id = known(card[0]) if isinstance(card, list) and card else None
        return no_update if camera_id is None else camera_id

    @app.callback(
        Output(ids.CAM_SELECTED, "data", allow_duplicate=True),
        Input(ids.CAM_LIVE_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    def close_live_view(_close):
        return None

    @app.callback(
        Output(ids.CAM_LIVE, "className"),
        Output(ids.CAM_LIVE_TITLE, "children"),
        Output(ids.CAM_LIVE_IMG, "src"),
        Output(ids.CAM_SNAPSHOT_MESSAGE, "children"),
        Output(ids.CAM_LIVE_TICK, "disabled"),
        Input(ids.CAM_SELECTED, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def show_live_view(camera_id, lang):
        """The live view of the selected camera; its facts tick only while one is open."""
        camera_id = known(camera_id)
        if camera_id is None:
            # an empty src makes the browser drop the MJPEG connection: the stream is released
            return "cam-live hidden", t("cam.unknown", lang), "", "", True
        camera = current_services().camera_board.camera(camera_id) or {}
        return "cam-live", camera.get("name") or f"#{camera_id}", camera_views.LIVE_URL.format(id=camera_id), "", False

    @app.callback(
        Output(ids.CAM_SELECTED_SECTOR, "data"),
        Input(ids.CAM_SELECTED, "data"),
    )
    def highlight_sector(camera_id):
        camera_id = known(camera_id)
        return EMPTY_COLLECTION if camera_id is None else selected_sector_geojson(current_services().engine, camera_id)

    @app.callback(
        Output(ids.CAM_LIVE_INFO, "children"),
        Output(ids.CAM_LIVE_TICK, "interval"),
        Input(ids.CAM_LIVE_TICK, "n_intervals"),
        Input(ids.CAM_SELECTED, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def live_info(_tick, camera_id, lang):
        """The open camera's facts, from the first answer on in its live view's terms (connecting
        until its frame rate is measured, never "standby"), asked for again every second until then."""
        camera_id = known(camera_id)
        if camera_id is None:
            return None, no_update
        services = current_services()
        record = services.camera_board.describe(camera_id)
        return camera_views.live_info(record, lang), camera_views.live_tick_ms(record, services.thumbnail_period_s())

    @app.callback(
        Output(ids.CAM_SNAPSHOT_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CAM_SNAPSHOT, "n_clicks"),
        State(ids.CAM_SELECTED, "data"),
        State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def take_snapshot(clicks, camera_id, lang):
        camera_id = known(camera_id, "snapshot")
        if not clicks or camera_id is None:
            return no_update
        board = current_services().camera_board
        if board.manager is None:
            return t("cam.snapshot_failed", lang).format(reason=t("cam.no_readers", lang))
        try:
            record = board.manager.snapshot(camera_id)
        except (NoFrame, UnknownCamera):
            return t("cam.snapshot_failed", lang).format(reason=t("cam.no_frame", lang))
        url = f"/cameras/{camera_id}/snapshots/{record.filename}"
        audit_event("snapshot.take", url, {"camera_id": camera_id, "sha256": record.sha256})
        return [t("cam.snapshot_saved", lang).format(when=wit_time(record.taken_at, with_date=False)), " ",
                html.A(t("cam.snapshot_open", lang), href=url, target="_blank", rel="noopener")]

    @app.callback(
        Output(ids.CAM_HEALTH_TABLE, "children"),
        Output(ids.CAM_HEALTH_SUMMARY, "children"),
        Input(ids.CAM_TICK, "n_intervals"),
        State(ids.LANG_STORE, "data"),
    )
    def health_list(_tick, lang):
        services = current_services()
        records = [r for r in services.camera_board.all_health() if camera_allowed("list", r["camera_id"]) and (
            not current_account().agency_camera_groups or camera_allowed("thumbnail", r["camera_id"]))]
        counts = {status: sum(r.get("status") == status for r in records) for status in (ONLINE, DEGRADED, OFFLINE)}
        return camera_views.health_table(records, lang, camera_histories(services.engine)), t("cam.health_summary", lang).format(**counts)
