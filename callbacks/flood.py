"""BPBD flood page (/banjir) callbacks: thin glue between flood.board / flood.simulation and the layout.

One interval drives the page: each tick advances the simulation (its state is in the database) and
computes `board_versions`; the map and chart redraw when readings or alerts change, the alert panel
and history only when alerts or their warnings do.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import dash
import orjson
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from sqlalchemy import Engine

from auth.web import audit_event, current_actor
from flood import board, store
from flood.impact import Impact
from flood.messages import wit_text
from flood.simulation import advance_simulation, start_simulation
from geo.geojson import to_geojson_bytes
from i18n import normalise_language, t
from layouts import flood_page as view
from layouts import ids
from routes.flood import MAX_BODY_BYTES, upload_readings_csv
from routes.language import request_language
from services import Services
from store.layers import read_admin_areas

UPLOAD_REFUSALS = {"too_large": "too_large", "not_upload": "not_base64", "not_base64": "not_base64", "empty": "empty",
                   "unknown_type": "not_csv", "bad_header": "bad_header"}
"""Why a readings file was refused (the code of the refusal) -> its text (flood.upload.refused.*)."""

IMPACT_SECONDS = 60
"""Impact is cached this long per set of zones: layers change slowly, the page redraws every second."""
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
    """GeoJSON of the watersheds with their level and of the gauges with their state, for the map."""
    gauges = board.gauge_status(engine)
    gauges["time_wit"] = [wit_text(moment.to_pydatetime()) if pd.notna(moment) else None for moment in gauges.reading_time]
    sheds = board.watershed_levels(engine, gauges)
    return (_geojson(sheds, ["id", "name", "level"]),
            _geojson(gauges, ["id", "name", "river", "alert_level", "level_cm", "rate_cm_h", "rain_mm_h", "time_wit"]))


def register(app: Dash, services: Services) -> None:
    engine, cache, settings = services.engine, services.cache, services.settings

    def flood_layout(**_query):
        cameras = board.river_cameras(engine)
        return view.flood_page(request_language(), services.basemap(), _gauge_options(engine), *_map_layers(engine),
                               _geojson(cameras, ["id", "name", "kind", "status", "river"]), MAX_BODY_BYTES, UPLOAD_BROWSER_LIMIT)

    dash.register_page("banjir", path="/banjir", order=30, name=t("nav.flood", "id"), title=t("nav.flood", "id"), layout=flood_layout,
                       nav_key="nav.flood", permission="flood")

    def desa_names() -> dict:
        names = cache.get("flood:desa-names")
        if names is None:
            names = dict(read_admin_areas(engine, "desa")[["code", "name"]].itertuples(index=False))
            cache.set("flood:desa-names", names, timeout=600)
        return names

    def impact_of(zone_ids) -> Impact:
        key = "flood:impact:" + ",".join(str(z) for z in sorted(zone_ids))
        impact = cache.get(key)
        if impact is None:
            impact = board.alert_impact(engine, zone_ids)
            cache.set(key, impact, timeout=IMPACT_SECONDS)
        return impact

    @app.callback(
        Output(ids.FLOOD_VERSION, "data"),
        Output(ids.FLOOD_ALERTS_VERSION, "data"),
        Output(ids.FLOOD_SIM_PROGRESS, "value"),
        Output(ids.FLOOD_SIM_STATUS, "children"),
        Output(ids.FLOOD_SIM_START, "disabled"),
        Input(ids.FLOOD_TICK, "n_intervals"),
        State(ids.FLOOD_VERSION, "data"),
        State(ids.FLOOD_ALERTS_VERSION, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def tick(_n, shown_version, shown_alerts_version, lang):
        progress = advance_simulation(engine, _utcnow())
        version, alerts_version = board.board_versions(engine)
        lang = normalise_language(lang)
        return (no_update if version == shown_version else version, no_update if alerts_version == shown_alerts_version else alerts_version,
                str(round(progress.share * 100)), view.simulation_status(progress, lang), progress.running)

    @app.callback(
        Output(ids.FLOOD_SIM_START, "disabled", allow_duplicate=True),
        Input(ids.FLOOD_SIM_START, "n_clicks"),
        prevent_initial_call=True,
    )
    def start(_clicks):
        # a callback of its own: merged with a tick, the click could be lost among the triggers
        start_simulation(engine, _utcnow(), settings.flood_sim_speed)
        return True

    @app.callback(
        Output(ids.FLOOD_WATERSHEDS, "data"),
        Output(ids.FLOOD_GAUGES, "data"),
        Input(ids.FLOOD_VERSION, "data"),
        prevent_initial_call=True,
    )
    def map_data(_version):
        return _map_layers(engine)

    @app.callback(
        Output(ids.FLOOD_GAUGE_PICK, "value"),
        Input(ids.FLOOD_GAUGES, "clickData"),
        prevent_initial_call=True,
    )
    def pick_gauge_on_map(feature):
        gauge_id = ((feature or {}).get("properties") or {}).get("id")
        known = set(store.read_gauges(engine).id.astype(int))
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
        gauges = board.gauge_status(engine).set_index("id", drop=False)
        if gauge_id not in gauges.index:  # no gauge in the store yet
            return view.message_figure(t("flood.chart.no_gauge", lang)), None
        hours = hours if hours in view.CHART_HOURS else 24
        gauge = gauges.loc[gauge_id]
        until = _utcnow()
        since = until - timedelta(hours=hours)
        series = store.read_series(engine, int(gauge_id), since=since)
        rain = store.read_series(engine, int(gauge_id), kind="rain", since=since)
        return view.level_figure(series, rain, gauge, since, until, lang), view.gauge_summary(gauge, lang)

    @app.callback(
        Output(ids.FLOOD_ALERTS, "children"),
        Input(ids.FLOOD_ALERTS_VERSION, "data"),
        Input(ids.FLOOD_ACTION_DONE, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def alerts(_version, _done, lang):
        lang = normalise_language(lang)
        on_board = board.alerts_to_follow(engine, _utcnow())
        deliveries = store.read_deliveries(engine, alert_ids=on_board.id.tolist())
        by_alert = dict(list(deliveries.groupby("alert_id", sort=False)))
        names = desa_names()
        cards = [view.alert_card(alert, by_alert.get(alert.id, deliveries.iloc[0:0]), impact_of(alert.zone_ids) if alert.level >= 2 else None, names, lang)
                 for alert in on_board.itertuples()]
        return view.alerts_list(cards, lang)

    @app.callback(
        Output(ids.FLOOD_HISTORY, "children"),
        Input(ids.FLOOD_ALERTS_VERSION, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def history(_version, lang):
        past = board.alert_history(engine)
        readings = {int(a.id): board.alert_readings(engine, int(a.id)) for a in past.itertuples()}
        return view.history_list(past, readings, normalise_language(lang))

    @app.callback(
        Output(ids.FLOOD_ACTION_DONE, "data"),
        Input({"type": ids.FLOOD_SEND, "index": ALL, "channel": ALL}, "n_clicks"),
        Input({"type": ids.FLOOD_ACK, "index": ALL}, "n_clicks"),
        State(ids.FLOOD_ACTION_DONE, "data"),
        prevent_initial_call=True,
    )
    def record_warning_action(_sent, _acked, done):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update  # buttons appearing with a redraw are not clicks
        action = "acknowledged" if trigger.get("type") == ids.FLOOD_ACK else "sent"
        recorded = board.record_action(engine, trigger.get("index"), action, actor=current_actor(), now=_utcnow(), channel=trigger.get("channel"))
        return (done or 0) + 1 if recorded else no_update

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
            report, new_alerts = upload_readings_csv(engine, board.csv_from_upload(contents, MAX_BODY_BYTES), now=_utcnow())
        except ValueError as error:  # auth.uploads.UploadRejected, flood.ingest.BadCsv, or text that is no CSV
            audit_event("import.flood_readings_csv", None, {"refused": str(error)[:300]})
            reason = UPLOAD_REFUSALS.get(getattr(error, "code", None), "unreadable")
            return view.upload_error(t(f"flood.upload.refused.{reason}", lang).format(limit_mb=MAX_BODY_BYTES // 2**20), lang), None
        audit_event("import.flood_readings_csv", None, {"accepted": len(report.accepted), "merged": len(report.merged),
                                                         "rejected": len(report.rejected), "alerts_raised": len(new_alerts)})
        # emptied so that uploading the same file again is processed again
        return view.upload_report(report, len(new_alerts), lang), None

    @app.callback(
        Output(ids.FLOOD_CAMERA_LIST, "children"),
        Input(ids.FLOOD_CAMERA_TICK, "n_intervals"),
        State(ids.LANG_STORE, "data"),
    )
    def camera_list(_n, lang):
        return view.camera_list(board.river_cameras(engine), int(_utcnow().timestamp()), normalise_language(lang))
