"""BPBD flood page (/banjir) callbacks: thin glue between flood.board / flood.simulation and the layout.

The page's interval only asks what changed (`board_versions`; drills are played by `flood.player` in
the background): the map and chart redraw when readings or alerts change, the alert panel and history
(paged) only when alerts or their warnings do. The buttons of the alert cards reach the server through
one store (FLOOD_ACTION, see assets/flood.js): a press is recorded and the page of cards redrawn in one
round trip.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import dash
import orjson
import pandas as pd
from dash import Dash, Input, Output, Patch, State, ctx, no_update
from sqlalchemy import Engine

from routes.auth import audit_event, current_actor
from callbacks import camera_frames
from flood import board, store
from flood.models import REAL
from flood.messages import wit_text
from flood.simulation import clear_simulation, end_simulation, simulation_progress, speed_for, start_simulation
from geo.geojson import to_geojson_bytes
from i18n import normalise_language, t
from layouts import flood_page as view
from layouts import ids
from routes.flood import MAX_BODY_BYTES, upload_readings_csv
from routes.cameras import camera_allowed
from routes.language import request_language
from services import current_services

UPLOAD_REFUSALS = {"too_large": "too_large", "not_upload": "not_base64", "not_base64": "not_base64", "empty": "empty",
                   "unknown_type": "not_csv", "bad_header": "bad_header"}
"""Why a readings file was refused (the code of the refusal) -> its text (flood.upload.refused.*)."""

UPLOAD_BROWSER_LIMIT = 10 * MAX_BODY_BYTES
"""Bigger files are refused by the browser itself (the server's request limit is 16 MB); between this and
MAX_BODY_BYTES the server answers with a clear message."""


def _utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def _geojson(frame, properties) -> dict:
    return orjson.loads(to_geojson_bytes(frame, properties))


def _gauge_options(engine: Engine) -> list[dict]:
    gauges = store.read_gauges(engine)
    return [{"label": f"{g.name} ({g.river})", "value": int(g.id)} for g in gauges.itertuples()]


def _map_layers(engine: Engine) -> tuple[dict, dict]:
    """GeoJSON of the watersheds with their level and of the gauges with their state, for the map (a drill's
    state while its data is on the board, see board.scenario_shown)."""
    gauges = board.gauge_status(engine, board.scenario_shown(engine))
    gauges["time_wit"] = [wit_text(moment.to_pydatetime()) if pd.notna(moment) else None for moment in gauges.reading_time]
    sheds = board.watershed_levels(engine, gauges)
    return (_geojson(sheds, ["id", "name", "level"]),
            _geojson(gauges, ["id", "name", "river", "alert_level", "level_cm", "rate_cm_h", "rain_mm_h", "time_wit"]))


def rows_shown(shown: dict, alert_id: int) -> int:
    """How many RT warnings the card of `alert_id` lists (FLOOD_RT_SHOWN comes from the browser)."""
    count = shown.get(str(alert_id))
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else view.RT_ROWS_SHOWN


def card_signature(alert, rows: pd.DataFrame, left: int, lang: str) -> str:
    """A short text that changes whenever an alert card would look different: its alert and counts, the
    warnings it lists (with their times), how many it leaves out, the language."""
    parts = (int(alert.id), int(alert.level), str(alert.cleared_at), str(alert.raised_at), alert.warned, alert.pending, alert.sent, left, lang,
             rows[["id", "sent_at", "acknowledged_at"]].to_numpy().tolist())
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def pressed_card(request: dict, deliveries: pd.DataFrame):
    """The id of the alert whose card holds the button of `request` (FLOOD_ACTION), or None."""
    target = request.get("target")
    if request.get("action") in ("close", "more"):
        return target
    alert_ids = deliveries.alert_id[deliveries.id == target]
    return alert_ids.iloc[0] if len(alert_ids) else None


def _clicked() -> bool:
    """Whether the callback was triggered by a press, not by buttons appearing with a redraw."""
    return bool(ctx.triggered) and bool(ctx.triggered[0].get("value"))


def _turned(page, step_back: str) -> int:
    """The page number after a press on the previous / next button (`step_back` the previous one's id)."""
    page = page if isinstance(page, int) and not isinstance(page, bool) else 0
    return max(page - 1, 0) if ctx.triggered_id == step_back else page + 1


def flood_layout(**_query):
    services = current_services()
    engine = services.engine
    cameras = board.river_cameras(engine)
    return view.flood_page(request_language(), services.basemap(), _gauge_options(engine), *_map_layers(engine),
                           _geojson(cameras, ["id", "name", "kind", "status", "river"]), MAX_BODY_BYTES, UPLOAD_BROWSER_LIMIT)



def act(request) -> bool:
    """Record what the operator pressed on an alert card (FLOOD_ACTION, from the browser: every part
    is checked by board); True when something was recorded."""
    action, target = request.get("action"), request.get("target")
    if action == "close":
        closed = board.close_alert(current_services().engine, target, actor=current_actor(), now=_utcnow())
        if closed:
            audit_event("flood.alert.close", f"alert:{target}", {})
        return closed
    channel = request.get("channel") if isinstance(request.get("channel"), str) else None
    return board.record_action(current_services().engine, target, action, actor=current_actor(), now=_utcnow(), channel=channel)


def register(app: Dash) -> None:
    dash.register_page("banjir", path="/banjir", order=30, name=t("nav.flood", "id"), title=t("nav.flood", "id"), layout=flood_layout,
                       nav_key="nav.flood", permission="flood")

    @app.callback(
        Output(ids.FLOOD_VERSION, "data"),
        Output(ids.FLOOD_ALERTS_VERSION, "data"),
        Output(ids.FLOOD_SIM_PROGRESS, "value"),
        Output(ids.FLOOD_SIM_STATUS, "children"),
        Output(ids.FLOOD_SIM_START, "disabled"),
        Output(ids.FLOOD_SIM_END, "disabled"),
        Output(ids.FLOOD_SIM_CLEAR, "disabled"),
        Output(ids.FLOOD_DRILL_BANNER, "children"),
        Input(ids.FLOOD_TICK, "n_intervals"),
        State(ids.FLOOD_VERSION, "data"),
        State(ids.FLOOD_ALERTS_VERSION, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def tick(_n, shown_version, shown_alerts_version, lang):
        services = current_services()
        progress = simulation_progress(services.engine)
        version, alerts_version = board.board_versions(services.engine)
        lang = normalise_language(lang)
        drill_data = progress.run_id is not None and not progress.cleared
        return (no_update if version == shown_version else version, no_update if alerts_version == shown_alerts_version else alerts_version,
                str(round(progress.share * 100)), view.simulation_status(progress, services.settings.flood_drill_minutes_per_step, lang),
                progress.running, not progress.running, not drill_data, view.drill_banner(progress, lang))

    @app.callback(
        Output(ids.FLOOD_SIM_START, "disabled", allow_duplicate=True),
        Input(ids.FLOOD_SIM_START, "n_clicks"),
        prevent_initial_call=True,
    )
    def start(_clicks):
        # a callback of its own: merged with a tick, the click could be lost among the triggers
        services = current_services()
        run_id = start_simulation(services.engine, _utcnow(), speed_for(services.settings.flood_drill_minutes_per_step))
        if run_id is not None:
            audit_event("flood.drill.start", f"drill:{run_id}", {})
        return True

    @app.callback(
        Output(ids.FLOOD_SIM_END, "disabled", allow_duplicate=True),
        Output(ids.FLOOD_SIM_CLEAR, "disabled", allow_duplicate=True),
        Input(ids.FLOOD_SIM_END, "n_clicks"),
        Input(ids.FLOOD_SIM_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def end_or_clear(_end, _clear):
        run_id = simulation_progress(current_services().engine).run_id
        if run_id is None or not _clicked():
            return no_update, no_update
        if ctx.triggered_id == ids.FLOOD_SIM_CLEAR:
            if clear_simulation(current_services().engine, run_id, _utcnow(), current_actor()):
                audit_event("flood.drill.clear", f"drill:{run_id}", {})
            return True, True
        if end_simulation(current_services().engine, run_id, _utcnow(), current_actor()):
            audit_event("flood.drill.end", f"drill:{run_id}", {})
        return True, no_update

    @app.callback(
        Output(ids.FLOOD_WATERSHEDS, "data"),
        Output(ids.FLOOD_GAUGES, "data"),
        Input(ids.FLOOD_VERSION, "data"),
        prevent_initial_call=True,
    )
    def map_data(_version):
        return _map_layers(current_services().engine)

    @app.callback(
        Output(ids.FLOOD_GAUGE_PICK, "value"),
        Input(ids.FLOOD_GAUGES, "clickData"),
        prevent_initial_call=True,
    )
    def pick_gauge_on_map(feature):
        gauge_id = ((feature or {}).get("properties") or {}).get("id")
        known = set(store.read_gauges(current_services().engine).id.astype(int))
        return int(gauge_id) if isinstance(gauge_id, int) and gauge_id in known else no_update

    @app.callback(
        Output(ids.FLOOD_CHART, "figure"),
        Output(ids.FLOOD_GAUGE_SUMMARY, "children"),
        Input(ids.FLOOD_VERSION, "data"),
        Input(ids.FLOOD_GAUGE_PICK, "value"),
        Input(ids.FLOOD_CHART_HOURS, "value"),
        State(ids.LANG_STORE, "data"),
    )
    def chart(_version, gauge_id, hours, lang):
        lang = normalise_language(lang)
        engine = current_services().engine
        scenario = board.scenario_shown(engine)
        gauges = board.gauge_status(engine, scenario).set_index("id", drop=False)
        if gauge_id not in gauges.index:  # no gauge in the store yet
            return view.message_figure(t("flood.chart.no_gauge", lang)), None
        hours = hours if hours in view.CHART_HOURS else 24
        gauge = gauges.loc[gauge_id]
        until = _utcnow()
        since = until - timedelta(hours=hours)
        series = store.read_series(engine, int(gauge_id), since=since)
        # during a drill the rain bars and the dotted level line are the drill's, the solid line the real series
        rain = store.read_series(engine, int(gauge_id), kind="rain", since=since, scenario=scenario)
        drill_series = None if scenario == REAL else store.read_series(engine, int(gauge_id), since=since, scenario=scenario)
        return (view.level_figure(series, rain, gauge, since, until, lang, drill_series),
                view.gauge_summary(gauge, lang, exercise=scenario != REAL))

    @app.callback(
        *[Output(slot, "children") for slot in ids.FLOOD_ALERT_SLOTS],
        Output(ids.FLOOD_ALERTS_PAGER, "children"),
        Output(ids.FLOOD_RT_SHOWN, "data"),
        Output(ids.FLOOD_ALERTS_SHOWN, "data"),
        Input(ids.FLOOD_ALERTS_VERSION, "data"),
        Input(ids.FLOOD_ACTION, "data"),
        Input(ids.FLOOD_ALERTS_PAGE, "data"),
        State(ids.FLOOD_RT_SHOWN, "data"),
        State(ids.FLOOD_ALERTS_SHOWN, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def alerts(_version, request, page, shown, on_screen, lang):
        # a press is recorded and its card redrawn in one round trip: the acknowledgement shows at once
        shown = dict(shown) if isinstance(shown, dict) else {}
        pressed = ctx.triggered_id == ids.FLOOD_ACTION and isinstance(request, dict)
        if pressed:
            target = request.get("target")
            if request.get("action") == "more" and isinstance(target, int) and not isinstance(target, bool):
                shown[str(target)] = rows_shown(shown, target) + view.RT_ROWS_SHOWN
            else:
                act(request)  # recorded or refused, the redraw shows the warnings as they now stand
        lang = normalise_language(lang)
        engine = current_services().engine
        on_board = board.alerts_to_follow(engine, page, page_size=len(ids.FLOOD_ALERT_SLOTS))
        deliveries = store.read_deliveries(engine, alert_ids=on_board.rows.id.tolist())
        by_alert = {alert_id: rows for alert_id, rows in deliveries.groupby("alert_id", sort=False)}
        cards = [(alert, *board.warnings_in_view(by_alert.get(alert.id, deliveries.iloc[0:0]), rows_shown(shown, int(alert.id))))
                 for alert in on_board.rows.itertuples()]
        signatures = [card_signature(alert, rows, left, lang) for alert, rows, left in cards]
        signatures += [f"empty:{lang}:{n == 0 and not cards}" for n in range(len(cards), len(ids.FLOOD_ALERT_SLOTS))]
        on_screen = on_screen if isinstance(on_screen, list) else []
        # the card pressed is redrawn even when the press changed nothing (refused, or someone was quicker):
        # its button, disabled by the click, comes back
        pressed_alert = pressed_card(request, deliveries) if pressed else None
        changed = [n for n, signature in enumerate(signatures)
                   if n >= len(on_screen) or on_screen[n] != signature or (n < len(cards) and cards[n][0].id == pressed_alert)]
        cache = current_services().cache
        names = board.desa_names(engine, cache)
        impacts = board.cached_impacts(engine, cache, [cards[n][0].zone_ids for n in changed if n < len(cards) and cards[n][0].level >= 2])
        slots = [no_update] * len(ids.FLOOD_ALERT_SLOTS)
        for n in changed:
            if n < len(cards):
                alert, rows, left = cards[n]
                slots[n] = view.alert_card(alert, rows, left, impacts[board.zone_key(alert.zone_ids)] if alert.level >= 2 else None, names, lang)
            else:
                slots[n] = view.no_alerts(lang) if n == 0 else None
        return (*slots, view.pager_text(on_board, "flood.pager.page", lang), shown, signatures)

    @app.callback(
        Output(ids.FLOOD_ALERTS_PAGE, "data"),
        Input(ids.FLOOD_ALERTS_PREV, "n_clicks"),
        Input(ids.FLOOD_ALERTS_NEXT, "n_clicks"),
        State(ids.FLOOD_ALERTS_PAGE, "data"),
        prevent_initial_call=True,
    )
    def turn_alerts_page(_prev, _next, page):
        return board.alerts_to_follow(current_services().engine, _turned(page, ids.FLOOD_ALERTS_PREV),
                                      page_size=len(ids.FLOOD_ALERT_SLOTS)).number

    @app.callback(
        Output(ids.FLOOD_HISTORY_PAGE, "data"),
        Input(ids.FLOOD_HISTORY_PREV, "n_clicks"),
        Input(ids.FLOOD_HISTORY_NEXT, "n_clicks"),
        State(ids.FLOOD_HISTORY_PAGE, "data"),
        prevent_initial_call=True,
    )
    def turn_history_page(_prev, _next, page):
        return board.alert_history(current_services().engine, _turned(page, ids.FLOOD_HISTORY_PREV)).number

    @app.callback(
        Output(ids.FLOOD_HISTORY, "children"),
        Output(ids.FLOOD_HISTORY_PAGER, "children"),
        Input(ids.FLOOD_ALERTS_VERSION, "data"),
        Input(ids.FLOOD_HISTORY_PAGE, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def history(_version, page, lang):
        lang = normalise_language(lang)
        past = board.alert_history(current_services().engine, page)
        return view.history_list(past.rows, lang), view.pager_text(past, "flood.history.page", lang)

    @app.callback(
        Output(ids.FLOOD_UPLOAD_REPORT, "children"),
        Output(ids.FLOOD_UPLOAD, "contents"),
        Input(ids.FLOOD_UPLOAD, "contents"),
        State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def upload(contents, lang):
        if contents is None:
            return no_update, no_update  # our own reset below
        lang = normalise_language(lang)
        try:
            readings = board.csv_from_upload(contents, MAX_BODY_BYTES)
            report, new_alerts = upload_readings_csv(current_services().engine, readings, now=_utcnow())
        except ValueError as error:  # uploads.UploadRejected, flood.ingest.BadCsv, or text that is no CSV
            audit_event("import.flood_readings_csv", None, {"refused": str(error)[:300]})
            reason = UPLOAD_REFUSALS.get(getattr(error, "code", None), "unreadable")
            return view.upload_error(t(f"flood.upload.refused.{reason}", lang).format(limit_mb=MAX_BODY_BYTES // 2**20), lang), None
        audit_event("import.flood_readings_csv", None, {"accepted": len(report.accepted), "merged": len(report.merged),
                                                         "rejected": len(report.rejected), "alerts_raised": len(new_alerts)})
        # emptied so that uploading the same file again is processed again
        return view.upload_report(report, len(new_alerts), lang), None

    @app.callback(
        Output(ids.FLOOD_CAMERA_LIST, "children"),
        Output(ids.FLOOD_CAMERA_SHOWN, "data"),
        Input(ids.FLOOD_CAMERA_TICK, "n_intervals"),
        State(ids.FLOOD_CAMERA_SHOWN, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def camera_list(_n, shown, lang):
        """The river cameras, drawn anew only when the list changes; else a picture is sent only when
        its frame changed. A camera whose footage the user may not see shows none."""
        services = current_services()
        cameras = board.river_cameras(services.engine)
        listed = [[int(c.id), c.name, c.river if isinstance(c.river, str) else None] for c in cameras.itertuples()]
        records = [r if camera_allowed("thumbnail", r["camera_id"]) else None
                   for r in services.camera_board.describe_many([camera_id for camera_id, *_ in listed])]
        in_place = isinstance(shown, dict) and shown.get("cameras") == listed
        pictures, sources = camera_frames.pictures(services.camera_board, records, shown.get("pictures") if in_place else None)
        if in_place:
            children = Patch()
            view.refresh_camera_pictures(children, sources)
        else:
            children = view.camera_list(cameras, [None if src is no_update else src for src in sources], normalise_language(lang))
        return children, {"cameras": listed, "pictures": pictures}
