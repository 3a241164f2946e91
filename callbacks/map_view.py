"""Map page callbacks: complaint filters, counts in view, camera cones by zoom."""
from __future__ import annotations

from dash import Dash, Input, Output, State, html, no_update

from routes.auth import current_account
from i18n import t
from i18n.format import number
from layouts import ids
from services import current_services
from store import complaint_grid, layers
from store.filters import complaint_filter_query, parse_complaint_filter
from store.models import Business, Camera, TpsSite
from store.vocabulary import COMPLAINT_STATUSES

CONE_MIN_ZOOM = 16


def map_bbox(bounds) -> layers.BBox | None:
    """dash-leaflet bounds [[south, west], [north, east]] as (min_lon, min_lat, max_lon, max_lat)."""
    try:
        (south, west), (north, east) = bounds
        return float(west), float(south), float(east), float(north)
    except (TypeError, ValueError):
        return None


def complaint_layer_url(filter_query: str, zoom, bbox: layers.BBox | None) -> str:
    """The complaints layer's URL for a filter and a view: grid cells at the map's zoom over the view's
    block of tiles (snapped, so that panning inside it keeps the URL and the cached payload)."""
    zoom = complaint_grid.clamp_zoom(zoom)
    pairs = [filter_query] if filter_query else []
    if zoom is not None:
        pairs.append(f"z={zoom}")
        if bbox is not None:
            pairs.append("bbox=" + ",".join(f"{v:.6f}" for v in complaint_grid.snap_bbox(bbox, zoom)))
    return "/api/layers/complaints.geojson" + (f"?{'&'.join(pairs)}" if pairs else "")


def _counts_table(lang: str, by_status: dict[str, int], totals: dict[str, int]) -> html.Table:
    rows = [html.Tr([html.Td(t("counts.complaints", lang)), html.Td(f"{number(sum(by_status.values()), lang)} {t('unit.complaints', lang)}",
                                                                     className="num")])]
    rows += [html.Tr([html.Td("· " + t(f"status.{s}", lang)), html.Td(number(by_status.get(s, 0), lang), className="num")]) for s in COMPLAINT_STATUSES]
    rows += [html.Tr([html.Td(t(f"counts.{name}", lang)), html.Td(f"{number(n, lang)} {t(f'unit.{name}', lang)}", className="num")])
             for name, n in totals.items()]
    return html.Table(html.Tbody(rows))


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.COMPLAINTS_LAYER, "url"),
        Output(ids.COUNTS, "children"),
        Output(ids.FILTER_WARNING, "children"),
        Input(ids.FILTER_DATES, "start_date"),
        Input(ids.FILTER_DATES, "end_date"),
        Input(ids.FILTER_CATEGORY, "value"),
        Input(ids.FILTER_STATUS, "value"),
        Input(ids.FILTER_AGENCY, "value"),
        Input(ids.FILTER_KECAMATAN, "value"),
        Input(ids.FILTER_OVERDUE, "value"),
        Input(ids.MAP, "bounds"),
        Input(ids.MAP, "zoom"),
        Input(ids.LANG_STORE, "data"),
        State(ids.COMPLAINTS_LAYER, "url"),
    )
    def filter_complaints(start, end, categories, statuses, agencies, kecamatan, overdue, bounds, zoom, lang, shown_url):
        args = {"from": [start or ""], "to": [end or ""], "category": categories or [], "status": statuses or [],
                "agency": agencies or [], "kecamatan": kecamatan or [], "overdue": ["1" if overdue else ""]}
        complaint_filter, rejected = parse_complaint_filter(args)
        # the guard lets no anonymous callback through
        complaint_filter = complaint_filter.within_agency(current_account().complaint_scope)
        engine = current_services().engine
        bbox = map_bbox(bounds)
        totals = {name: layers.count_in_bbox(engine, model, bbox) for name, model in (("cameras", Camera), ("tps", TpsSite), ("businesses", Business))}
        counts = _counts_table(lang, layers.count_complaints_by_status(engine, complaint_filter, bbox=bbox), totals)
        url = complaint_layer_url(complaint_filter_query(complaint_filter), zoom, bbox)
        # the same URL again would re-add the layer (and move it in the layer control) for nothing
        return no_update if url == shown_url else url, counts, t("filter.invalid", lang) if rejected else ""

    @app.callback(
        Output(ids.FILTER_DATES, "start_date"),
        Output(ids.FILTER_DATES, "end_date"),
        Output(ids.FILTER_CATEGORY, "value"),
        Output(ids.FILTER_STATUS, "value"),
        Output(ids.FILTER_AGENCY, "value"),
        Output(ids.FILTER_KECAMATAN, "value"),
        Output(ids.FILTER_OVERDUE, "value"),
        Input(ids.FILTER_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(_clicks):
        return None, None, [], [], [], [], []

    app.clientside_callback(
        """function (colourBy, hideout) {
            if (!hideout || hideout.colourBy === colourBy) { return window.dash_clientside.no_update; }
            return Object.assign({}, hideout, {colourBy: colourBy});
        }""",
        Output(ids.COMPLAINTS_LAYER, "hideout"),
        Input(ids.FILTER_COLOUR_BY, "value"),
        State(ids.COMPLAINTS_LAYER, "hideout"),
    )

    app.clientside_callback(
        f"""function (zoom, hideout) {{
            const show = zoom >= {CONE_MIN_ZOOM};
            if (hideout && hideout.show === show) {{ return window.dash_clientside.no_update; }}
            return Object.assign({{}}, hideout, {{show: show}});
        }}""",
        Output(ids.SECTORS_LAYER, "hideout"),
        Input(ids.MAP, "zoom"),
        State(ids.SECTORS_LAYER, "hideout"),
    )


