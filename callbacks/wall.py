"""The video wall: its configuration from the URL, the tiles of the page shown, paging and cycling.
Registered by callbacks.cameras (it shares its page's permission and the camera board)."""
from __future__ import annotations

import math

import dash
from dash import Dash, Input, Output, Patch, State, clientside_callback, ctx, no_update

from callbacks import camera_frames
from cameras.health import OFFLINE
from i18n import t
from layouts import ids, video_wall
from routes.cameras import camera_allowed
from routes.language import request_language
from services import current_services
from store.vocabulary import CAMERA_KINDS


MIN_CYCLE_S, MAX_CYCLE_S = 2, 3600
"""Paces a wall's URL may ask for (seconds per page), besides the ones the page offers."""


def _listed(value) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [v for v in str(value or "").split(",") if v]


def wall_config(query: dict, offered: list[str] | None = None) -> dict:
    """The wall's configuration from its URL query, anything unknown replaced by the default:
    tata (layout), putar (seconds per page), jenis (kinds, comma-separated), kec (kecamatan), kios=1
    (no toolbar). `offered`: the kinds the account has cameras of (default every kind)."""
    layout = query.get("tata") if query.get("tata") in video_wall.LAYOUT_TILES else "auto"
    try:
        cycle_s = int(query.get("putar") or 0)
    except ValueError:
        cycle_s = 0
    offered = list(CAMERA_KINDS) if offered is None else offered
    kinds = [k for k in _listed(query.get("jenis")) if k in offered] or list(offered)
    return {"layout": layout, "cycle_s": cycle_s if MIN_CYCLE_S <= cycle_s <= MAX_CYCLE_S else 0, "kinds": kinds,
            "kecamatan": _listed(query.get("kec")), "kiosk": query.get("kios") == "1"}


def page_of(records: list[dict], layout: str, page: int) -> tuple[list[dict], int, int]:
    """(records on the page, page shown, number of pages) for a layout's tiles per page."""
    per_page = video_wall.LAYOUT_TILES.get(layout)
    if not per_page:
        return records, 0, 1
    pages = max(1, math.ceil(len(records) / per_page))
    page = (page or 0) % pages
    return records[page * per_page:(page + 1) * per_page], page, pages


def wall_layout(**query):
    """The toolbar offers only what the account may see: its cameras' kinds and kecamatan, and
    the title says whether that is every camera or its own share of them."""
    services = current_services()
    cameras = [c for c in services.camera_board.index() if isinstance(c.get("id"), int)]
    mine = [c for c in cameras if camera_allowed("thumbnail", c["id"])]
    names = sorted({c["kecamatan"] for c in mine if c.get("kecamatan")})
    kinds = [k for k in CAMERA_KINDS if any(c.get("kind") == k for c in mine)]
    return video_wall.wall_page(request_language(), names, services.thumbnail_period_s(), wall_config(query, kinds),
                                kinds=kinds, shown=None if len(mine) == len(cameras) else len(mine))


def register(app: Dash, visible) -> None:
    """`visible(records)`: the cameras whose pictures the user may see."""
    dash.register_page("kamera", path="/kamera", name="kamera", layout=wall_layout, nav_key="nav.cameras", permission="camera",
                       order=10)

    def shown_cameras(kinds, kecamatan) -> tuple[list[dict], int]:
        """The cameras the filters keep, offline first (worst first, as the board orders them)."""
        kinds = {k for k in (kinds or []) if k in CAMERA_KINDS}
        kecamatan = {k for k in (kecamatan or []) if isinstance(k, str)}
        records = visible(current_services().camera_board.all_health())
        return [r for r in records if r.get("kind") in kinds and (not kecamatan or r.get("kecamatan") in kecamatan)], len(records)

    @app.callback(
        Output(ids.CAM_WALL, "children"),
        Output(ids.CAM_WALL_SHOWN, "data"),
        Output(ids.CAM_WALL, "className"),
        Output(ids.CAM_WALL_COUNT, "children"),
        Output(ids.CAM_WALL_PAGE_LABEL, "children"),
        Output(ids.CAM_WALL_OFFLINE, "children"),
        Output(ids.CAM_WALL_OFFLINE, "className"),
        Input(ids.CAM_TICK, "n_intervals"),
        Input(ids.CAM_WALL_KIND, "value"),
        Input(ids.CAM_WALL_KECAMATAN, "value"),
        Input(ids.CAM_WALL_LAYOUT, "value"),
        Input(ids.CAM_WALL_PAGE, "data"),
        State(ids.CAM_WALL_SHOWN, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def video_wall_tiles(_tick, kinds, kecamatan, layout, page, shown, lang):
        """The tiles of the page shown, drawn anew only when their number changes, else updated in
        place: a picture is sent only when its frame (or the camera in the tile) changed."""
        layout = layout if layout in video_wall.LAYOUT_TILES else "auto"
        records, total = shown_cameras(kinds, kecamatan)
        on_page, page, pages = page_of(records, layout, page if isinstance(page, int) else 0)
        live = camera_allowed("live")
        in_place = isinstance(shown, list) and len(shown) == len(on_page)
        now_shown, sources = camera_frames.pictures(current_services().camera_board, on_page, shown if in_place else None,
                                                    video_wall.streams(on_page, layout, live))
        if in_place:
            tiles = Patch()
            for i, (record, src) in enumerate(zip(on_page, sources)):
                video_wall.refresh(tiles[i], record, lang, live, src)
        else:
            tiles = [video_wall.tile(record, lang, live, src) for record, src in zip(on_page, sources)]
        offline = sum(r.get("status") == OFFLINE for r in records)
        return (tiles, now_shown, f"cam-wall wall-{layout}", t("cam.wall_count", lang).format(shown=len(records), total=total),
                t("wall.page", lang).format(page=page + 1, pages=pages) if pages > 1 else "",
                t("wall.offline_banner", lang).format(n=offline) if offline else "",
                "cam-wall-offline" if offline else "cam-wall-offline hidden")

    @app.callback(
        Output(ids.CAM_WALL_PAGE, "data"),
        Input(ids.CAM_WALL_CYCLE_TICK, "n_intervals"),
        Input(ids.CAM_WALL_PREV, "n_clicks"),
        Input(ids.CAM_WALL_NEXT, "n_clicks"),
        Input(ids.CAM_WALL_LAYOUT, "value"),
        Input(ids.CAM_WALL_KIND, "value"),
        Input(ids.CAM_WALL_KECAMATAN, "value"),
        State(ids.CAM_WALL_PAGE, "data"),
        prevent_initial_call=True,
    )
    def turn_page(_cycle, _prev, _next, layout, kinds, kecamatan, page):
        trigger = ctx.triggered_id
        if trigger not in (ids.CAM_WALL_CYCLE_TICK, ids.CAM_WALL_PREV, ids.CAM_WALL_NEXT):
            return 0  # another layout or filter starts from the first page
        records, _ = shown_cameras(kinds, kecamatan)
        _, page, pages = page_of(records, layout if layout in video_wall.LAYOUT_TILES else "auto", page if isinstance(page, int) else 0)
        step = -1 if trigger == ids.CAM_WALL_PREV else 1
        return (page + step) % pages if pages > 1 else no_update

    @app.callback(
        Output(ids.CAM_WALL_CYCLE_TICK, "interval"),
        Output(ids.CAM_WALL_CYCLE_TICK, "disabled"),
        Input(ids.CAM_WALL_CYCLE, "value"),
        prevent_initial_call=True,
    )
    def cycle_pace(seconds):
        seconds = seconds if isinstance(seconds, int) and MIN_CYCLE_S <= seconds <= MAX_CYCLE_S else 0
        return max(1, seconds) * 1000, not seconds


# The configuration goes into the address bar as it changes (no reload), and into the screen's link.
clientside_callback(
    dash.ClientsideFunction("wall", "syncUrl"),
    Output(ids.CAM_WALL_LINK, "href"),
    Input(ids.CAM_WALL_LAYOUT, "value"),
    Input(ids.CAM_WALL_CYCLE, "value"),
    Input(ids.CAM_WALL_KIND, "value"),
    Input(ids.CAM_WALL_KECAMATAN, "value"),
    State(ids.CAM_WALL_KIOSK, "data"),
)
