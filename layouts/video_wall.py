"""The video wall (/kamera): tiles in a chosen layout (all, 1, 2 × 2, 3 × 3, 4 × 4, one large with
seven small around it), cycling through the cameras page by page, offline cameras first and
marked loudly. A click on a tile shows it full screen (assets/wall.js); the configuration lives in
the URL, so each big screen opens straight into its own."""
from __future__ import annotations

from dash import Patch, dcc, html, no_update

from i18n import t
from layouts import ids
from layouts.camera_views import LIVE_PAGE_URL, LIVE_URL, status_line
from layouts.controls import dropdown
from store.vocabulary import CAMERA_KINDS

LAYOUT_TILES = {"auto": None, "1": 1, "2x2": 4, "3x3": 9, "4x4": 16, "1+7": 8}
"""Layout name (as in the URL) -> tiles per page; "auto": every camera in a grid, no pages."""
CYCLE_SECONDS = (0, 10, 20, 30, 60)
"""Cycling paces offered, seconds per page (0: no cycling); a URL may ask for another."""
LIVE_FIRST = ("1", "1+7")
"""Layouts whose first (large) tile shows the live stream rather than the thumbnail."""


def tile(record: dict, lang: str, live: bool, src: str) -> html.Button:
    """One camera: its picture `src` (callbacks.camera_frames: the thumbnail as a data: URL, its
    OFFLINE card, or on a large tile the live stream) with name and freshness; an offline one says
    so in big letters. `live`: a click may show the live stream (else the picture) full screen."""
    return html.Button(n_clicks=0, title=t("wall.fullscreen_hint", lang), role="listitem", **_tile_props(record, live),
                       children=[html.Img(src=src, alt=_name(record), className="cam-thumb-img"), caption(record, lang)])


def streams(on_page: list[dict], layout: str, live: bool) -> dict[int, str]:
    """Tile index -> the live stream it shows instead of its thumbnail: a live-first layout's large
    tile, while its camera is online and the user may watch live."""
    if on_page and layout in LIVE_FIRST and live and on_page[0].get("status") != "offline":
        return {0: LIVE_URL.format(id=on_page[0]["camera_id"])}
    return {}


def refresh(tile_patch: Patch, record: dict, lang: str, live: bool, src) -> None:
    """Writes into `tile_patch` (a tile of the wall, dash.Patch) what `tile` would draw for `record`,
    in place: its picture only when `src` is one (not no_update), so an unchanged frame is not sent
    again and the browser keeps the picture it shows."""
    tile_patch["props"].update(_tile_props(record, live))
    picture = tile_patch["props"]["children"][0]["props"]
    picture["alt"] = _name(record)
    if src is not no_update:
        picture["src"] = src
    tile_patch["props"]["children"][1] = caption(record, lang)


def _name(record: dict) -> str:
    return record.get("name") or f"#{record['camera_id']}"


def _tile_props(record: dict, live: bool) -> dict:
    cid = record["camera_id"]
    return {"className": f"cam-tile cam-thumb cam-thumb-{record.get('status', 'offline')}", "data-camera": str(cid), "data-name": _name(record),
            "data-live": LIVE_URL.format(id=cid) if live else "", "data-page": LIVE_PAGE_URL.format(id=cid)}


def caption(record: dict, lang: str) -> html.Div:
    """The tile's OFFLINE band (an offline camera's), name and status line."""
    status = record.get("status", "offline")
    return html.Div([*([html.Div(t("cam.card.offline", lang), className="cam-tile-offline", **{"aria-hidden": "true"})]
                       if status == "offline" else []),  # the status line says it in words
                     html.Div(_name(record), className="cam-thumb-name"),
                     html.Div(status_line(record, lang), className=f"cam-thumb-status cam-text-{status}")], className="cam-tile-caption")


def wall_page(lang: str, kecamatan_names: list[str], period_s: float, config: dict, kinds: list[str] | tuple[str, ...] = CAMERA_KINDS,
              shown: int | None = None) -> html.Div:
    """`config`: layout, cycle_s, kinds, kecamatan, kiosk (callbacks.wall.wall_config); `kinds`: the
    kinds offered as filters (those the account has cameras of); `shown`: how many cameras the
    account may see when that is not all of them (None: all)."""
    title = t("cam.wall_title", lang) if shown is None else t("cam.wall_title_own", lang).format(n=shown)
    options = lambda values, label: [{"label": label(v), "value": v} for v in values]  # noqa: E731
    return html.Div(className="cam-page wall-page" + (" wall-kiosk" if config["kiosk"] else ""), children=[
        html.Div(className="cam-toolbar", children=[
            html.H1(title, className="page-title"),
            dcc.Checklist(id=ids.CAM_WALL_KIND, options=options(kinds, lambda k: t(f"kind.{k}", lang)),
                          value=config["kinds"], inline=True, className="filter-checklist cam-wall-kind",
                          inputClassName="form-check-input", labelClassName="form-check-label"),
            dropdown(lang, id=ids.CAM_WALL_KECAMATAN, options=kecamatan_names, value=config["kecamatan"], multi=True,
                     placeholder=t("filter.kecamatan", lang), className="cam-wall-kecamatan"),
            html.Label([t("wall.layout", lang), dropdown(lang, id=ids.CAM_WALL_LAYOUT, value=config["layout"], clearable=False,
                                                          options=options(LAYOUT_TILES, lambda v: t(f"wall.layout.{v}", lang)),
                                                          className="cam-wall-select")], className="cam-wall-control"),
            html.Label([t("wall.cycle", lang), dropdown(lang, id=ids.CAM_WALL_CYCLE, value=config["cycle_s"], clearable=False,
                                                         options=options(sorted({*CYCLE_SECONDS, config["cycle_s"]}), lambda s: t("wall.cycle.s", lang).format(s=s) if s
                                                                         else t("wall.cycle.0", lang)),
                                                         className="cam-wall-select")], className="cam-wall-control"),
            html.Div(className="cam-wall-pager", children=[
                html.Button(t("wall.prev", lang), id=ids.CAM_WALL_PREV, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
                html.Span(id=ids.CAM_WALL_PAGE_LABEL, role="status"),
                html.Button(t("wall.next", lang), id=ids.CAM_WALL_NEXT, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
            ]),
            html.Span(id=ids.CAM_WALL_COUNT, className="text-muted", role="status"),
            html.A(t("wall.link", lang), id=ids.CAM_WALL_LINK, href="/kamera", title=t("wall.link_hint", lang), className="cam-wall-link"),
        ]),
        html.P([t("cam.refreshed", lang).format(s=f"{period_s:g}"), " ", t("wall.fullscreen_hint", lang)], className="small text-muted wall-hint"),
        html.Div(id=ids.CAM_WALL_OFFLINE, className="cam-wall-offline hidden", role="status"),
        html.Div(id=ids.CAM_WALL, className=f"cam-wall wall-{config['layout']}", role="list",
                 **{"data-close": t("wall.close", lang), "data-open-page": t("wall.open_live_page", lang)}),
        dcc.Store(id=ids.CAM_WALL_PAGE, data=0),
        dcc.Store(id=ids.CAM_WALL_KIOSK, data=config["kiosk"]),
        dcc.Store(id=ids.CAM_WALL_SHOWN),
        dcc.Interval(id=ids.CAM_WALL_CYCLE_TICK, interval=max(1, config["cycle_s"]) * 1000, disabled=not config["cycle_s"]),
        dcc.Interval(id=ids.CAM_TICK, interval=int(period_s * 1000)),
    ])
