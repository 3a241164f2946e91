"""The BPBD flood page (/banjir): map of watersheds, rivers, zones, gauges and river cameras; the
gauge chart; the alerts to follow up with their RT warnings and impact; CSV intake; the simulator;
the history. Functions of plain data returning components; the callbacks fetch the data."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import Patch, dcc, html, no_update
from dash_extensions.javascript import Namespace

from flood.board import CHANNELS, NO_GAUGE
from flood.messages import wit_text
from i18n import bundle, reason, t
from i18n.format import WIT_OFFSET, number
from layouts import ids
from layouts.controls import dropdown
from layouts.legend import basemap_rows, box, hazard_rows, legend_panel, row
from layouts.map_page import Basemap, base_map, flood_zone_layer, river_layer

LEVEL_COLOURS = {NO_GAUGE: "#9e9e9e", 0: "#2e933c", 1: "#f2c200", 2: "#f08c00", 3: "#d7263d"}
"""Alert level -> colour, for the watersheds, gauge markers, badges and chart lines alike."""
RIVERS_CENTER = (-3.688, 128.2)
"""Where Ambon's gauged rivers leave the hills."""
CHART_HOURS = (6, 24, 72, 168)
TICK_MS = 2000
"""How often the page asks the server for news (and moves the simulation on). A redraw slower than
this is superseded by the next one, so it must stay well above a redraw's time on a busy server."""
MAX_REPORT_ROWS = 300
"""Upload report rows listed one by one; the counts always cover every row."""
flood_js = Namespace("ambon", "flood")
map_js = Namespace("ambon", "map")


def level_name(level: int, lang: str) -> str:
    return t(f"flood.level.{level}", lang)


def level_badge(level: int, lang: str) -> html.Span:
    return html.Span(level_name(level, lang), className=f"flood-badge flood-level-{level}")


def _number(value: float, unit: str, lang: str, digits: int = 0, signed: bool = False) -> str:
    """A measured value with its unit, written as the reader writes numbers (116,0 cm/jam)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{'+' if signed and value > 0 else ''}{number(value, lang, digits)} {unit}"


def _map_hideout(lang: str) -> dict:
    return {"colours": {str(k): v for k, v in LEVEL_COLOURS.items()}, "labels": bundle("flood.map.", lang), "lang": lang,
            "levels": {str(k): level_name(k, lang) for k in LEVEL_COLOURS}}


def flood_map(lang: str, basemap: Basemap, watersheds_geojson: dict, gauges_geojson: dict, cameras_geojson: dict) -> dl.Map:
    """The map; watershed and gauge data come with the page and are then refreshed by callbacks."""
    hideout = _map_hideout(lang)
    overlays = [
        (t("flood.layer.watersheds", lang), dl.GeoJSON(id=ids.FLOOD_WATERSHEDS, data=watersheds_geojson, style=flood_js("watershedStyle"),
                                                        onEachFeature=flood_js("watershedTooltip"), hideout=hideout)),
        (t("layer.flood_zones", lang), flood_zone_layer(lang)),
        (t("layer.rivers", lang), river_layer(lang)),
        (t("flood.layer.gauges", lang), dl.GeoJSON(id=ids.FLOOD_GAUGES, data=gauges_geojson, pointToLayer=flood_js("gaugeMarker"),
                                                    onEachFeature=flood_js("gaugeTooltip"), hideout=hideout)),
        (t("flood.layer.cameras", lang), dl.GeoJSON(id=ids.FLOOD_CAMERAS, data=cameras_geojson, pointToLayer=map_js("cameraMarker"),
                                                     onEachFeature=flood_js("cameraPopup"), hideout=hideout)),
    ]
    return base_map(lang, basemap, [(name, layer, True) for name, layer in overlays], map_id=ids.FLOOD_MAP,
                    control_id=ids.FLOOD_LAYERS_CONTROL, center=RIVERS_CENTER, zoom=14, collapsed=True, class_name="city-map flood-map")


def flood_legend(lang: str) -> html.Div:
    levels = [row(box(LEVEL_COLOURS[k]), level_name(k, lang)) for k in (3, 2, 1, 0, NO_GAUGE)]
    sections = [
        (t("flood.legend.watersheds", lang), levels),
        (t("flood.layer.gauges", lang), [row(html.Span("cm", className="flood-gauge-icon flood-level-2"), t("flood.legend.gauge", lang))]),
        (t("flood.layer.cameras", lang), [row(html.Span(className="cam-icon cam-river"), t("flood.legend.camera", lang))]),
        (t("legend.hazard", lang), hazard_rows(lang)),
        (t("flood.legend.basemap", lang), basemap_rows(lang)),
    ]
    return legend_panel(lang, sections, ids.FLOOD_LEGEND)


def message_figure(text: str) -> go.Figure:
    """A chart with no axes showing only `text`: while the first data is loading, or when there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16, "color": "#666"})
    figure.update_layout(margin={"l": 55, "r": 55, "t": 10, "b": 40}, height=300, xaxis={"visible": False}, yaxis={"visible": False},
                         plot_bgcolor="#ffffff")
    return figure


def loading_note(lang: str) -> html.P:
    """What a part of the page shows until its first callback has filled it (seconds on a busy server)."""
    return html.P(t("flood.loading", lang), className="flood-note flood-loading")


def nice_step(top: float, ticks: int = 5) -> float:
    """A tick step of 1, 2 or 5 times a power of ten that cuts [0, top] into about `ticks` parts
    (0,5 / 1 / 2 mm/jam rather than 0,7 / 1,39)."""
    raw = max(float(top), 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def level_figure(series: pd.DataFrame, rain: pd.DataFrame, gauge: pd.Series, since: datetime, until: datetime, lang: str,
                 drill: pd.DataFrame | None = None) -> go.Figure:
    """Water level (cm) over [since, until] (UTC, drawn in WIT), threshold lines of Waspada/Siaga/Awas, rain bars (mm/h);
    `drill`, a drill's level series (time, level_cm), drawn apart as a dotted line named LATIHAN / DRILL.
    With nothing to draw in the range, only a message says so."""
    if series.empty and rain.empty and (drill is None or drill.empty):
        return message_figure(t("flood.chart.empty", lang))
    figure = go.Figure()
    figure.add_bar(x=rain.time + WIT_OFFSET, y=rain.rain_mm_h, name=t("flood.chart.rain", lang), yaxis="y2", marker_color="#9ecae1", opacity=0.6)
    figure.add_scatter(x=series.time + WIT_OFFSET, y=series.level_cm, mode="lines+markers", name=t("flood.chart.level", lang),
                       line={"color": "#2b7bd6", "width": 2}, marker={"size": 4})  # reads on the light and the dark theme
    if drill is not None and len(drill):
        figure.add_scatter(x=drill.time + WIT_OFFSET, y=drill.level_cm, mode="lines", name=t("flood.chart.drill", lang),
                           line={"color": "#9b59c6", "width": 2, "dash": "dot"})
    for level, column in ((1, "waspada_cm"), (2, "siaga_cm"), (3, "awas_cm")):
        value = float(gauge[column])
        figure.add_hline(y=value, line={"color": LEVEL_COLOURS[level], "dash": "dash", "width": 2},
                         annotation_text=f"{level_name(level, lang)} {_number(value, 'cm', lang)}", annotation_position="top left")
    highest = max([float(frame.level_cm.max()) for frame in (series, drill) if frame is not None and len(frame)], default=0.0)
    top = max(float(gauge["awas_cm"]) * 1.15, highest * 1.05)
    rain_step = nice_step(max(float(rain.rain_mm_h.max()) if len(rain) else 0.0, 1.0))
    rain_top = rain_step * max(math.ceil(float(rain.rain_mm_h.max()) / rain_step) if len(rain) else 0, 5)
    figure.update_layout(
        margin={"l": 55, "r": 55, "t": 10, "b": 40}, height=300, legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": t("flood.chart.time", lang), "range": [since + WIT_OFFSET, until + WIT_OFFSET], "tickformat": "%H:%M\n%d-%m"},
        yaxis={"title": t("flood.chart.level_axis", lang), "range": [0, top]},
        yaxis2={"title": t("flood.chart.rain_axis", lang), "overlaying": "y", "side": "right", "showgrid": False,
                "range": [0, rain_top], "tickmode": "linear", "tick0": 0, "dtick": rain_step},
        plot_bgcolor="#ffffff",
        separators=",." if lang == "id" else ".,",  # axis numbers as the reader writes them: 16,5 / 1.000
    )
    if series.empty and (drill is None or drill.empty):
        figure.add_annotation(text=t("flood.chart.empty", lang), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


def gauge_summary(gauge, lang: str, exercise: bool = False) -> html.Div:
    """The gauge's newest reading, rate of rise, rain and alert level as one line of figures; `exercise`:
    they are a drill's, marked LATIHAN."""
    when = wit_text(gauge.reading_time.to_pydatetime()) if pd.notna(gauge.reading_time) else t("flood.no_reading", lang)
    parts = [
        (t("flood.summary.level", lang), _number(gauge.level_cm, "cm", lang)),
        (t("flood.summary.rate", lang), _number(gauge.rate_cm_h, t("flood.unit.cm_h", lang), lang, 1, signed=True)),
        (t("flood.summary.rain", lang), _number(gauge.rain_mm_h, t("flood.unit.mm_h", lang), lang, 1)),
        (t("flood.summary.time", lang), when),
    ]
    marker = [html.Span(t("flood.alert.exercise", lang), className="flood-exercise")] if exercise else []
    return html.Div([level_badge(int(gauge.alert_level), lang), *marker]
                    + [html.Span([html.Span(label + ": ", className="flood-label"), html.Span(value, className="flood-figure")]) for label, value in parts],
                    className="flood-summary")


def chart_panel(lang: str, gauge_options: list[dict]) -> html.Div:
    return html.Div(className="flood-chart-panel", children=[
        html.Div(className="flood-chart-controls", children=[
            html.Label(t("flood.chart.gauge", lang), htmlFor=ids.FLOOD_GAUGE_PICK),
            dropdown(lang, id=ids.FLOOD_GAUGE_PICK, options=gauge_options, value=gauge_options[0]["value"] if gauge_options else None,
                         clearable=False, className="flood-gauge-pick"),
            dcc.RadioItems(id=ids.FLOOD_CHART_HOURS, value=24, inline=True, className="flood-hours",
                           options=[{"label": t(f"flood.chart.hours.{h}", lang), "value": h} for h in CHART_HOURS]),
        ]),
        html.Div(loading_note(lang), id=ids.FLOOD_GAUGE_SUMMARY, role="status"),
        dcc.Graph(id=ids.FLOOD_CHART, figure=message_figure(t("flood.loading", lang)), config={"displaylogo": False}, style={"height": "300px"}),
    ])


def _section(title: str, *children, **props) -> html.Section:
    return html.Section([html.H2(title, className="panel-title"), *children], className="flood-section", **props)


def pager(lang: str, prev_id: str, next_id: str, label_id: str) -> html.Div:
    """Previous / next buttons around the text saying which page of a long list is shown."""
    return html.Div(className="flood-pager", children=[
        html.Button(t("flood.pager.prev", lang), id=prev_id, className="btn btn-outline-secondary btn-xs"),
        html.Span(id=label_id, className="flood-note", role="status"),
        html.Button(t("flood.pager.next", lang), id=next_id, className="btn btn-outline-secondary btn-xs"),
    ])


def pager_text(page, key: str, lang: str) -> str:
    """`page` (a flood.board.Page) as "Halaman 2 dari 20 (200 peringatan)"."""
    return t(key, lang).format(page=page.number + 1, pages=page.pages, total=number(page.total, lang))


def drill_banner(progress, lang: str) -> html.Div | None:
    """The banner over the page while a drill's alerts may be on it (from its start until it is cleared)."""
    if progress.run_id is None or progress.cleared:
        return None
    return html.Div(t("flood.drill.banner", lang), className="flood-drill-banner", role="alert")


def side_panel(lang: str, upload_limit_bytes: int, browser_limit_bytes: int) -> html.Aside:
    return html.Aside(className="flood-side", children=[
        _section(t("flood.sim.title", lang),
                 html.Div([html.Button(t("flood.sim.start", lang), id=ids.FLOOD_SIM_START, className="btn btn-primary btn-sm"),
                           html.Button(t("flood.sim.end", lang), id=ids.FLOOD_SIM_END, className="btn btn-outline-secondary btn-sm", disabled=True),
                           html.Button(t("flood.sim.clear", lang), id=ids.FLOOD_SIM_CLEAR, className="btn btn-outline-danger btn-sm", disabled=True)],
                          className="flood-sim-buttons"),
                 html.Progress(id=ids.FLOOD_SIM_PROGRESS, value="0", max="100", className="flood-progress"),
                 html.Div(loading_note(lang), id=ids.FLOOD_SIM_STATUS, className="flood-note", role="status")),
        _section(t("flood.alerts.title", lang),
                 pager(lang, ids.FLOOD_ALERTS_PREV, ids.FLOOD_ALERTS_NEXT, ids.FLOOD_ALERTS_PAGER),
                 html.Div([html.Div(loading_note(lang) if n == 0 else None, id=slot) for n, slot in enumerate(ids.FLOOD_ALERT_SLOTS)],
                          id=ids.FLOOD_ALERTS, **{"aria-live": "polite", "data-flood-store": ids.FLOOD_ACTION})),
        _section(t("flood.upload.title", lang),
                 html.P(t("flood.upload.help", lang), className="flood-note"),
                 dcc.Upload(id=ids.FLOOD_UPLOAD, max_size=browser_limit_bytes, className="flood-upload",
                            children=html.Div(t("flood.upload.drop", lang).format(mb=upload_limit_bytes / 1e6))),
                 html.Div(id=ids.FLOOD_UPLOAD_REPORT, role="status")),
        _section(t("flood.cameras.title", lang), html.Div(loading_note(lang), id=ids.FLOOD_CAMERA_LIST)),
        _section(t("flood.history.title", lang), pager(lang, ids.FLOOD_HISTORY_PREV, ids.FLOOD_HISTORY_NEXT, ids.FLOOD_HISTORY_PAGER),
                 html.Div(loading_note(lang), id=ids.FLOOD_HISTORY)),
    ])


def flood_page(lang: str, basemap: Basemap, gauge_options: list[dict], watersheds_geojson: dict, gauges_geojson: dict,
               cameras_geojson: dict, upload_limit_bytes: int, browser_limit_bytes: int) -> html.Div:
    return html.Div(className="flood-page", children=[
        dcc.Interval(id=ids.FLOOD_TICK, interval=TICK_MS),
        dcc.Interval(id=ids.FLOOD_CAMERA_TICK, interval=10_000),
        dcc.Store(id=ids.FLOOD_CAMERA_SHOWN),
        dcc.Store(id=ids.FLOOD_VERSION),
        dcc.Store(id=ids.FLOOD_ALERTS_VERSION),
        dcc.Store(id=ids.FLOOD_ACTION),
        dcc.Store(id=ids.FLOOD_ALERTS_PAGE, data=0),
        dcc.Store(id=ids.FLOOD_HISTORY_PAGE, data=0),
        dcc.Store(id=ids.FLOOD_RT_SHOWN, data={}),
        dcc.Store(id=ids.FLOOD_ALERTS_SHOWN, data=[]),
        html.Div(className="flood-main", children=[
            # in the column, above the map: beside it, the banner would take the map's width
            html.Div(id=ids.FLOOD_DRILL_BANNER, className="flood-drill-banner-slot"),
            html.Div([flood_map(lang, basemap, watersheds_geojson, gauges_geojson, cameras_geojson), flood_legend(lang)], className="map-wrap flood-map-wrap"),
            chart_panel(lang, gauge_options),
        ]),
        side_panel(lang, upload_limit_bytes, browser_limit_bytes),
    ])


# ---- alerts, impact, history, uploads, cameras: built from the frames of flood.board ----

def _status_text(delivery, lang: str) -> str:
    if pd.notna(delivery.acknowledged_at):
        return t("flood.rt.acknowledged", lang).format(time=wit_text(delivery.acknowledged_at.to_pydatetime()), who=delivery.acknowledged_by or "–")
    if pd.notna(delivery.sent_at):
        channel = t(f"flood.channel.{delivery.channel}", lang) if isinstance(delivery.channel, str) else "–"
        return t("flood.rt.sent", lang).format(channel=channel, time=wit_text(delivery.sent_at.to_pydatetime()), who=delivery.sent_by or "–")
    return t("flood.rt.not_sent", lang)


def action_button(label: str, action: str, target: int, class_name: str, channel: str | None = None, **props) -> html.Button:
    """A button of an alert card: no id (hundreds of pattern-matching ids freeze the page) but data
    attributes that the click handler of assets/flood.js writes into the FLOOD_ACTION store:
    `action` ("sent", "acknowledged", "close", "more"), `target` (warning or alert id), `channel`."""
    data = {"data-flood-action": action, "data-flood-target": str(target), **({"data-flood-channel": channel} if channel else {})}
    return html.Button(label, className=class_name, **data, **props)


def delivery_status(delivery, lang: str) -> html.Td:
    """One RT warning's status and, until it is acknowledged, its buttons (whatever the readings did:
    the alert stays actionable until staff close it)."""
    acked = pd.notna(delivery.acknowledged_at)
    buttons = [] if acked else [
        *[action_button(t(f"flood.channel.{c}", lang), "sent", int(delivery.id), "btn btn-outline-secondary btn-xs", channel=c,
                        title=t("flood.rt.mark_sent", lang)) for c in CHANNELS],
        action_button(t("flood.rt.mark_ack", lang), "acknowledged", int(delivery.id), "btn btn-success btn-xs"),
    ]
    state = "flood-rt-state-acked" if acked else "flood-rt-state-pending"
    return html.Td([_status_text(delivery, lang), *buttons], className=f"flood-rt-status {state}")


def _delivery_row(delivery, desa_names: dict, lang: str) -> html.Tr:
    """One RT warning in few components (texts, not nested elements): every component costs the browser
    time when a page of alerts is drawn."""
    acked = pd.notna(delivery.acknowledged_at)
    return html.Tr(
        className="flood-rt " + ("flood-rt-acked" if acked else "flood-rt-pending"),
        **{"data-delivery": str(int(delivery.id))},
        children=[
            html.Td(f"{delivery.rt_name}\n{desa_names.get(delivery.desa_code, delivery.desa_code)}", className="flood-rt-who"),
            html.Td(f"{delivery.contact_name}\n{delivery.phone}", className="flood-rt-who"),
            html.Td(delivery.message, className="flood-message"),
            delivery_status(delivery, lang),
        ],
    )


def _names(frame: pd.DataFrame, column: str, limit: int = 8) -> str:
    names = frame.drop_duplicates("id")[column].astype(str).tolist()
    return ", ".join(names[:limit]) + (f" … (+{len(names) - limit})" if len(names) > limit else "") if names else "–"


def impact_block(impact, lang: str) -> html.Div:
    """What is at risk: totals, then per desa the flooded share and people affected (or "unknown")."""
    totals = impact.totals()

    def people_text(people) -> str:
        return t("flood.impact.unknown", lang) if pd.isna(people) else f"{number(people, lang)} {t('flood.unit.people', lang)}"

    desa = "; ".join(f"{d.desa_name} {'< 1 %' if d.share < 0.005 else f'{d.share * 100:.0f} %'} ({people_text(d.people_affected)})"
                     for d in impact.desa_whole.itertuples()) or "–"
    return html.Div(className="flood-impact", children=[
        html.H3(t("flood.impact.title", lang)),
        html.Ul([
            html.Li(f"{t('flood.impact.people', lang)}: {people_text(totals['people_affected'])}"),
            html.Li(f"{t('flood.impact.rt', lang)}: {totals['rt']} RT"),
            html.Li(f"{t('flood.impact.tps', lang)}: {totals['tps']} {t('unit.items', lang)} ({_names(impact.tps, 'name')})"),
            html.Li(f"{t('flood.impact.businesses', lang)}: {totals['businesses']} {t('unit.items', lang)} ({_names(impact.businesses, 'name')})"),
            html.Li(f"{t('flood.impact.complaints', lang)}: {totals['open_complaints']} {t('unit.complaints', lang)} ({_names(impact.complaints, 'ticket')})"),
            html.Li(f"{t('flood.impact.desa', lang)}: {desa}"),
        ]),
    ])


def _alert_heading(alert, lang: str) -> list:
    times = t("flood.alert.raised", lang).format(time=wit_text(alert.raised_at.to_pydatetime()))
    if pd.notna(alert.cleared_at):
        times += " · " + t("flood.alert.cleared", lang).format(time=wit_text(alert.cleared_at.to_pydatetime()))
    return [
        level_badge(int(alert.level), lang),
        html.Span(f" {alert.river} · {alert.gauge_name} · {alert.level_cm:.0f} cm", className="flood-alert-where"),
        html.Div(times, className="flood-note"),
        *([html.Span(t("flood.alert.exercise", lang), className="flood-exercise")] if alert.exercise else []),
    ]


RT_ROWS_SHOWN = 5
"""RT warnings an alert card lists at first; its "show more" button adds as many again."""


def alert_card(alert, deliveries: pd.DataFrame, left: int, impact, desa_names: dict, lang: str) -> html.Details:
    """One alert: level, place and time, zones, CAP download, impact (Siaga/Awas), the RT warnings in view
    (flood.board.warnings_in_view) with a button for the `left` ones not shown, and the button that closes it."""
    cleared = pd.notna(alert.cleared_at)
    rows = [_delivery_row(d, desa_names, lang) for d in deliveries.itertuples()]
    more = [action_button(t("flood.rt.more", lang).format(n=min(left, RT_ROWS_SHOWN), left=left), "more", int(alert.id),
                          "btn btn-outline-secondary btn-xs flood-rt-more")] if left > 0 else []
    drill = " flood-alert-drill" if alert.exercise else ""
    return html.Details(open=True, className=f"flood-alert flood-alert-level-{int(alert.level)}{drill}",
                        **{"data-alert": str(int(alert.id)), "data-level": str(int(alert.level))}, children=[
        html.Summary(_alert_heading(alert, lang)),
        *([html.Div(t("flood.alert.cleared_note", lang), className="alert alert-secondary py-1 px-2 my-1", role="note")] if cleared else []),
        html.Div([html.Span(t("flood.alert.zones", lang) + ": ", className="flood-label"), ", ".join(alert.zone_names) or "–"]),
        html.Div([
            html.Span(t("flood.alert.progress", lang).format(pending=alert.pending, warned=alert.warned, sent=alert.sent), className="flood-label"),
            html.A(t("flood.alert.cap", lang), href=f"/api/flood/alerts/{int(alert.id)}/cap.xml", download=f"bpbd-ambon-peringatan-{int(alert.id)}-cap.xml",
                   className="flood-cap-link"),
        ], className="flood-alert-meta"),
        *([html.P(t("flood.alert.told_before", lang), className="flood-note")] if int(alert.level) > 1 else []),
        *([impact_block(impact, lang)] if impact is not None else []),
        html.Table([
            html.Thead(html.Tr([html.Th(t("flood.rt.rt", lang)), html.Th(t("flood.rt.contact", lang)), html.Th(t("flood.rt.message", lang)), html.Th(t("flood.rt.status", lang))])),
            html.Tbody(rows),
        ], className="flood-table flood-rt-table") if rows else html.P(t("flood.rt.none", lang), className="flood-note"),
        *more,
        action_button(t("flood.alert.close", lang), "close", int(alert.id), "btn btn-outline-primary btn-sm flood-close"),
    ])


def no_alerts(lang: str) -> html.P:
    return html.P(t("flood.alerts.none", lang), className="flood-note")


def history_list(history: pd.DataFrame, lang: str) -> html.Div:
    """Closed alerts, newest first, each summarised in a line for the after-action review: level, river,
    when it rose and fell, who closed it, the peak, the warnings, its CAP message."""
    if history.empty:
        return html.P(t("flood.history.none", lang), className="flood-note")
    items = []
    for alert in history.itertuples():
        raised = wit_text(alert.raised_at.to_pydatetime())
        if pd.notna(alert.cleared_at):
            span = t("flood.history.span", lang).format(raised=raised, cleared=wit_text(alert.cleared_at.to_pydatetime()),
                                                        hours=number((alert.cleared_at - alert.raised_at) / timedelta(hours=1), lang, 1))
        else:
            span = t("flood.history.still_high", lang).format(raised=raised)
        closed = t("flood.alert.closed", lang).format(time=wit_text(alert.closed_at.to_pydatetime()), who=alert.closed_by or "–")
        drill = f" · {t('flood.alert.exercise', lang)}" if alert.exercise else ""
        summary = " · ".join([f"{alert.river}{drill}", span, closed, f"{t('flood.history.peak', lang)}: {_number(alert.peak_cm, 'cm', lang)}",
                              t("flood.alert.progress", lang).format(pending=alert.warned - alert.acknowledged, warned=alert.warned, sent=alert.sent)])
        items.append(html.Li([level_badge(int(alert.level), lang), f" {summary} · ",
                              html.A(t("flood.alert.cap", lang), href=f"/api/flood/alerts/{int(alert.id)}/cap.xml")],
                             className="flood-history-item", **{"data-alert": str(int(alert.id))}))
    return html.Ul(items, className="flood-history")


def _reason_text(outcome, lang: str) -> str:
    """Why a reading was merged or rejected, in the user's language (flood.ingest.REASON_TEXT codes)."""
    return reason("flood", outcome.code, outcome.args, lang)


def upload_report(report, new_alerts: int, lang: str) -> html.Div:
    """Every measurement of an upload: counts per outcome, then the rows (rejected first) with reasons."""
    outcomes = ([("rejected", o) for o in report.rejected] + [("merged", o) for o in report.merged] + [("accepted", o) for o in report.accepted])
    rows = [html.Tr([html.Td(str(o.row + 2), className="num"), html.Td(t(f"flood.upload.{kind}", lang), className=f"flood-outcome-{kind}"),
                     html.Td(o.gauge or "–"), html.Td(wit_text(o.time) if o.time else "–"), html.Td(_number(o.value, "cm" if o.kind == "level" else t("flood.unit.mm_h", lang), lang, 1)),
                     html.Td(_reason_text(o, lang) + (" (" + t("flood.upload.late", lang) + ")" if o.late else ""))])
            for kind, o in outcomes[:MAX_REPORT_ROWS]]
    counts = t("flood.upload.counts", lang).format(accepted=len(report.accepted), merged=len(report.merged), rejected=len(report.rejected), alerts=new_alerts)
    more = [html.P(t("flood.upload.more", lang).format(n=len(outcomes) - MAX_REPORT_ROWS), className="flood-note")] if len(outcomes) > MAX_REPORT_ROWS else []
    return html.Div([
        html.P(counts, className="flood-upload-counts"),
        html.Table([html.Thead(html.Tr([html.Th(t(f"flood.upload.col.{c}", lang)) for c in ("line", "outcome", "gauge", "time", "value", "reason")])),
                    html.Tbody(rows)], className="flood-table"),
        *more,
    ])


def upload_error(message: str, lang: str) -> html.Div:
    return html.Div(t("flood.upload.error", lang).format(reason=message), className="flood-error")


def camera_list(cameras: pd.DataFrame, sources: list, lang: str) -> html.Div:
    """River cameras, each with its picture (`sources`, one per camera: callbacks.camera_frames; None:
    none to show) and a link to the live view."""
    if cameras.empty:
        return html.P(t("flood.cameras.none", lang), className="flood-note")
    return html.Div(className="flood-cameras", children=[
        html.Figure(className="flood-camera", children=[
            html.A(html.Img(src=src, alt=c.name), href=f"/kamera/langsung?id={int(c.id)}"),
            html.Figcaption([html.A(c.name, href=f"/kamera/langsung?id={int(c.id)}"), html.Div(c.river or "–", className="flood-note")]),
        ]) for c, src in zip(cameras.itertuples(), sources)
    ])


def refresh_camera_pictures(listed: Patch, sources: list) -> None:
    """Writes into `listed` (the list `camera_list` drew, as a dash.Patch) the pictures of `sources`
    that changed (the others are no_update: the browser keeps what it shows)."""
    for n, src in enumerate(sources):
        if src is not no_update:
            listed["props"]["children"][n]["props"]["children"][0]["props"]["children"]["props"]["src"] = src


def simulation_status(progress, minutes_per_step: float, lang: str) -> str:
    if progress.run_id is None:
        return t("flood.sim.idle", lang).format(minutes=number(minutes_per_step, lang, 1))
    if progress.cleared:
        return t("flood.sim.cleared", lang)
    key = "flood.sim.running" if progress.running else "flood.sim.done"
    when = wit_text(progress.played_until) if progress.played_until else "–"
    end = wit_text(progress.real_end) if progress.real_end else "–"
    return t(key, lang).format(share=f"{progress.share * 100:.0f}", time=when, end=end, readings=progress.readings, rejected=progress.rejected)
