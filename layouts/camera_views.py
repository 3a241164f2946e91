"""Camera components: thumbnail cards, the live view, the video wall and the health table.

They take health records as cameras.board.CameraBoard.describe() returns them and only lay them out.
"""
from __future__ import annotations

import base64
import time

from dash import dcc, html

from cameras.board import offline_since
from cameras.health import DAY, WEEK
from i18n import t
from i18n.format import age_text, number, observed_uptime, wit_time
from layouts import ids

OFFLINE_URL = "/cameras/{id}/thumbnail.jpg?offline={since}"
"""A camera without a fresh picture: its OFFLINE card, one URL while it stays offline (since:
cameras.board.offline_since, what the card says)."""
THUMB_SLOTS = 12
"""Thumbnail cards in the map's panel: the first cameras in view; the others are counted."""
LIVE_URL = "/cameras/{id}/live.mjpg"
LIVE_PAGE_URL = "/kamera/langsung?id={id}"
LIVE_MEASURING_MS = 1000
"""The live facts' clock while the frame rate of a just opened view is not measured yet."""


def tick_interval(period_s: float) -> dcc.Interval:
    """The clock that refreshes thumbnails, health and marker colours."""
    return dcc.Interval(id=ids.CAM_TICK, interval=int(period_s * 1000))


def status_line(record: dict, lang: str) -> str:
    """"Daring · gambar 3 dtk lalu" or "OFFLINE sejak 27-11-2026 14:02 WIT"."""
    status = record.get("status", "offline")
    if status == "offline":
        since = offline_since(record)
        return t("cam.offline_since", lang).format(when=wit_time(since)) if since else t("cam.offline_never", lang)
    label = t(f"camera.status.{status}", lang)
    age = record.get("last_frame_age_s")
    return f"{label} · {t('cam.age', lang).format(age=age_text(age, lang))}" if age is not None else label


def in_view_slot(slot: int, lang: str) -> html.Button:
    """The `slot`-th thumbnail card of the map's panel, empty and hidden until a camera is put in it
    (callbacks.cameras fills it in place: a card redrawn would fetch its picture again and make the
    pattern-matching click callback fire for nothing). The server answers an offline camera's
    thumbnail URL with the grey OFFLINE card, so a stale frame is never shown."""
    return html.Button([html.Img(id={"type": ids.CAM_THUMB_IMG, "slot": slot}, className="cam-thumb-img", alt=""),
                        html.Div(id={"type": ids.CAM_THUMB_TEXT, "slot": slot})],
                       id={"type": ids.CAM_THUMB, "slot": slot}, className="cam-thumb hidden", title=t("cam.open_hint", lang),
                       n_clicks=0)


def slot_class(record: dict | None) -> str:
    return f"cam-thumb cam-thumb-{record.get('status', 'offline')}" if record else "cam-thumb hidden"


def slot_text(record: dict | None, lang: str) -> list:
    """A card's name and how fresh its picture is."""
    if record is None:
        return []
    status = record.get("status", "offline")
    return [html.Div(record.get("name") or f"#{record['camera_id']}", className="cam-thumb-name"),
            html.Div(status_line(record, lang), className=f"cam-thumb-status cam-text-{status}")]


def picture_version(record: dict, thumbnail: dict | None) -> str:
    """What a card's picture is: its frame's capture time, or the URL of the camera's OFFLINE card
    (`thumbnail` None: no fresh one)."""
    if thumbnail is None:
        return OFFLINE_URL.format(id=record["camera_id"], since=int(offline_since(record) or 0))
    return f"{thumbnail['ts']:.3f}"


def picture_src(record: dict, thumbnail: dict | None) -> str:
    """What a card's <img> shows: a fresh thumbnail carried in the answer itself (one request for the
    whole panel instead of one per card), else the OFFLINE card by URL, fetched once while the camera
    stays offline."""
    if thumbnail is None:
        return picture_version(record, None)
    return "data:image/jpeg;base64," + base64.b64encode(thumbnail["jpeg"]).decode("ascii")


def in_view_note(shown: int, hidden: int, lang: str) -> str | None:
    if not shown:
        return t("cam.none_in_view", lang)
    return t("cam.in_view_more", lang).format(n=hidden) if hidden else None


def in_view_section(lang: str, period_s: float) -> html.Div:
    return html.Div(className="side-cameras", children=[
        html.H2(t("cam.in_view", lang), className="panel-title"),
        html.P(t("cam.open_hint", lang), className="small text-muted mb-1"),
        html.Div([in_view_slot(n, lang) for n in range(THUMB_SLOTS)], id=ids.CAM_IN_VIEW, className="cam-thumb-grid", role="list"),
        html.P(id=ids.CAM_IN_VIEW_NOTE, className="text-muted small"),
        tick_interval(period_s),
        dcc.Store(id=ids.CAM_STATUS_SIGNATURE),
        dcc.Store(id=ids.CAM_IN_VIEW_SHOWN, data=[None] * THUMB_SLOTS),
    ])


def live_panel(lang: str, period_s: float, camera_id: int | None = None, *, closable: bool = True) -> html.Div:
    """The live view of the selected camera (hidden while none is), its facts refreshed every
    `period_s` seconds while a camera is open."""
    header = [html.H2(id=ids.CAM_LIVE_TITLE, className="cam-live-title")]
    if closable:
        header.append(html.Button(t("cam.close", lang), id=ids.CAM_LIVE_CLOSE, className="btn btn-outline-secondary btn-sm", n_clicks=0))
    return html.Div(
        id=ids.CAM_LIVE,
        className="cam-live hidden",
        role="dialog",
        **{"aria-label": t("cam.live", lang)},
        children=[
            dcc.Store(id=ids.CAM_SELECTED, data=camera_id),
            html.Div(header, className="cam-live-header"),
            html.Img(id=ids.CAM_LIVE_IMG, className="cam-live-img", alt=t("cam.live", lang)),
            html.Div(id=ids.CAM_LIVE_INFO, className="cam-live-info"),
            dcc.Interval(id=ids.CAM_LIVE_TICK, interval=int(period_s * 1000), disabled=camera_id is None),
            html.Button(t("cam.snapshot", lang), id=ids.CAM_SNAPSHOT, className="btn btn-primary btn-sm mt-2", n_clicks=0),
            html.Div(id=ids.CAM_SNAPSHOT_MESSAGE, className="cam-snapshot-message", role="status"),
        ],
    )


def fps_text(record: dict, lang: str, watched: bool = False) -> str:
    """The measured frame rate with its unit. Without one: a reader that only takes thumbnails is on
    standby, unless the camera is `watched` (its live view is open): then its stream is being
    opened, and the view says it is connecting until the rate is measured."""
    if record.get("fps") is not None:
        return t("unit.fps", lang).format(n=number(record["fps"], lang, 1))
    if watched:
        return t("cam.connecting", lang)
    return t("cam.not_measured", lang) if record.get("streaming") else t("cam.fps_standby", lang)


def live_tick_ms(record: dict, period_s: float) -> int:
    """How often the open live view's facts are asked for: every second while its frame rate is
    being measured (the view just opened), then every `period_s`."""
    measuring = record.get("fps") is None and record.get("status") != "offline"
    return LIVE_MEASURING_MS if measuring else int(period_s * 1000)


def reason_text(record: dict, lang: str) -> str:
    """Why the camera has its status, in words and with its own figures."""
    code = record.get("reason")
    if not code:
        return ""
    age = age_text(record["last_frame_age_s"], lang) if record.get("last_frame_age_s") is not None else "–"
    return t(f"cam.reason.{code}", lang).format(age=age, fps=fps_text(record, lang))


def live_info(record: dict, lang: str) -> html.Table:
    rows = [
        (t("field.kind", lang), t(f"kind.{record.get('kind')}", lang)),
        (t("field.kecamatan", lang), record.get("kecamatan") or "–"),
        (t("field.status", lang), status_line(record, lang)),
        (t("cam.fps", lang), fps_text(record, lang, watched=True)),
        (t("cam.last_frame", lang), wit_time(record.get("last_frame_ts"))),
    ]
    if record.get("reason"):
        rows.append((t("cam.reason", lang), reason_text(record, lang)))
    return html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in rows]), className="cam-info-table")


def error_cell(record: dict, lang: str) -> html.Td:
    """The camera's last trouble in the operator's words; the technical message (for whoever fixes
    it) shows on hover."""
    message = record.get("last_error") or record.get("config_error")
    if not message:
        return html.Td("")
    return html.Td(t(f"cam.error.{record.get('last_error_code') or 'unexpected'}", lang), title=message, className="cam-error")


def history_strip(slots: list[str], lang: str) -> html.Div:
    """The last 24 hours as a bar of equal slots coloured by the worst status in each (as status
    pages draw them), oldest on the left. One element per camera: a gradient with hard stops."""
    width = 100 / len(slots)
    stops = ", ".join(f"var(--room-{status}) {i * width:.3f}% {(i + 1) * width:.3f}%" for i, status in enumerate(slots))
    return html.Div(className="history-strip", role="img", title=t("cam.history_axis", lang),
                    style={"background": f"linear-gradient(to right, {stops})"},
                    **{"aria-label": t("cam.history_24h", lang) + ": " + ", ".join(
                        f"{t(f'camera.status.{s}', lang)} {slots.count(s)}/{len(slots)}" for s in dict.fromkeys(slots))})


def outage_text(history: dict, lang: str) -> str:
    """When the camera last went down and for how long (or that it did not, or nothing is recorded)."""
    if history.get("uptime") is None:
        return t("cam.history_unknown", lang)
    outages = history.get("outages") or []
    if not outages:
        if history.get("recorded_since") is not None:  # recorded for less than the day: say since when
            return t("cam.no_outage_since", lang).format(start=wit_time(history["recorded_since"]))
        return t("cam.no_outage", lang)
    last = outages[0]
    key = "cam.outage_ended" if last["end"] is not None else "cam.outage_ongoing"
    text = t(key, lang).format(start=wit_time(last["start"]), duration=age_text(last["duration_s"], lang))
    return text + (" · " + t("cam.outages_count", lang).format(n=len(outages)) if len(outages) > 1 else "")


def reader_uptime(record: dict, window_s: float, lang: str) -> str:
    """The camera reader's own uptime over the last `window_s` seconds (24 h or 7 days), over the
    time it has been watching only and saying how long that was."""
    fraction = record.get("uptime_24h" if window_s == DAY else "uptime_7d")
    since, now = record.get("watched_since_ts"), record.get("published_ts") or time.time()
    if since is None:  # a reader that does not say since when: no honest figure
        return t("uptime.no_data", lang)
    return observed_uptime(fraction, min(window_s, max(0.0, now - since)), window_s, lang)


def health_table(records: list[dict], lang: str, histories: dict[int, dict] | None = None) -> html.Table:
    """One row per camera; `histories` (camera id -> {"slots", "uptime",
    "outages", "recorded_since": first record when younger than the day, else None}) adds its last 24 hours as a strip, its uptime over them and its last outage."""
    histories = histories or {}
    head = [t("field.name", lang), t("field.kind", lang), t("field.kecamatan", lang), t("field.status", lang), t("cam.fps", lang),
            t("cam.history_24h", lang), t("cam.uptime_24h", lang), t("cam.last_outage", lang), t("cam.uptime_7d", lang), t("cam.last_error", lang)]

    def history_cells(r: dict) -> list:
        history = histories.get(r["camera_id"])
        if not history:
            return [html.Td(t("cam.history_unknown", lang), className="text-muted"), html.Td(reader_uptime(r, DAY, lang), className="num"),
                    html.Td("–")]
        return [html.Td(history_strip(history["slots"], lang)),
                html.Td(observed_uptime(history["uptime"], history.get("observed_s", 0.0), DAY, lang), className="num"), html.Td(outage_text(history, lang), className="cam-outage")]

    rows = [html.Tr(className=f"cam-row-{r.get('status', 'offline')}", children=[
        html.Td(dcc.Link(r.get("name") or f"#{r['camera_id']}", href=LIVE_PAGE_URL.format(id=r["camera_id"]))),
        html.Td(t(f"kind.{r.get('kind')}", lang)),
        html.Td(r.get("kecamatan") or "–"),
        html.Td([html.Div(status_line(r, lang)), html.Div(reason_text(r, lang), className="small text-muted")]
                if r.get("status") != "online" else status_line(r, lang)),
        html.Td(fps_text(r, lang), className="num"),
        *history_cells(r),
        html.Td(reader_uptime(r, WEEK, lang), className="num"),
        error_cell(r, lang),
    ]) for r in records]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="table table-sm cam-health")


def health_page(lang: str, period_s: float) -> html.Div:
    return html.Div(className="cam-page", children=[
        html.H1(t("cam.health_title", lang), className="page-title"),
        html.P(id=ids.CAM_HEALTH_SUMMARY, role="status"),
        html.P(t("cam.refreshed", lang).format(s=f"{period_s:g}"), className="small text-muted"),
        html.Div(id=ids.CAM_HEALTH_TABLE),
        tick_interval(period_s),
    ])


def live_page(lang: str, camera_id: int | None, period_s: float, refusal: str = "cam.unknown") -> html.Div:
    """One camera's live view, or, without `camera_id`, the text `refusal` says why not (an i18n key:
    "cam.unknown", or "cam.not_allowed" for a camera of a group the user may not watch)."""
    view = [live_panel(lang, period_s, camera_id, closable=False)] if camera_id is not None \
        else [html.P(t(refusal, lang), className="alert alert-warning mt-2", role="alert")]
    return html.Div([dcc.Link(t("cam.back_to_map", lang), href="/"), *view], className="cam-page cam-live-page")
