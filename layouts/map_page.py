"""The city map page: side panel with filters and counts, the map with its layers and legend."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from datetime import date

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from i18n import bundle, t
from layouts import ids
from layouts.camera_views import in_view_section, live_panel
from layouts.controls import date_range_picker, dropdown
from layouts.legend import legend
from layouts.styles import BUSINESS_COLOURS, CAMERA_STATUS_COLOURS, COMPLAINT_STATUS_COLOURS, DEADLINE_COLOURS, HAZARD_COLOURS, ROAD_STYLES
from store.filters import KECAMATAN_CODES
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES

AMBON_CENTER = (-3.685, 128.19)


@dataclass(frozen=True)
class Basemap:
    """What every map is drawn on: tiles when a tile URL is set, and beneath them the offline
    vector basemap (land and the stored roads, credited as their sources ask)."""

    tile_url: str
    tile_attribution: str
    road_credit: str = ""

js = Namespace("ambon", "map")


def _labels(lang: str) -> dict:
    """Everything the browser-side popups need to speak the user's language."""
    return {
        "field": bundle("field.", lang),
        "status": [t(f"status.{s}", lang) for s in COMPLAINT_STATUSES],
        "category": [t(f"category.{c}", lang) for c in COMPLAINT_CATEGORIES],
        "agency": bundle("agency.", lang),
        "kind": bundle("kind.", lang),
        "business": bundle("business.", lang),
        "cameraStatus": bundle("camera.status.", lang),
        "hazard": bundle("hazard.", lang),
        "popup": bundle("popup.", lang),
        "roadGroup": bundle("road.", lang),
        "lang": lang,
    }


def geojson_layer(layer: str, lang: str, **options) -> dl.GeoJSON:
    """One of the store's map layers (by URL), with the popups and colours of the city map."""
    hideout = {
        "labels": _labels(lang),
        "statusColours": list(COMPLAINT_STATUS_COLOURS.values()),
        "deadlineColours": list(DEADLINE_COLOURS.values()),
        "colourBy": "status",
        "cameraColours": CAMERA_STATUS_COLOURS,
        "hazardColours": {str(k): v for k, v in HAZARD_COLOURS.items()},
        "businessColours": BUSINESS_COLOURS,
        "roadStyles": ROAD_STYLES,
        "layer": layer,
        "show": True,
    }
    options.setdefault("url", f"/api/layers/{layer}.geojson")
    options.setdefault("onEachFeature", js("bindPopup"))
    return dl.GeoJSON(hideout=hideout, **options)


def flood_zone_layer(lang: str) -> dl.GeoJSON:
    return geojson_layer("flood_zones", lang, style=js("floodStyle"))


def river_layer(lang: str) -> dl.GeoJSON:
    return geojson_layer("rivers", lang, style=js("riverStyle"))


def _overlays(lang: str, complaints_url: str, camera_markers: dict) -> list[tuple[str, object, bool]]:
    """(name, layer, shown at start) for each overlay, top of the list drawn last."""
    return [
        (t("layer.kecamatan", lang), geojson_layer("kecamatan", lang, style=js("kecamatanStyle")), True),
        (t("layer.desa", lang), geojson_layer("desa", lang, style=js("desaStyle")), False),
        (t("layer.flood_zones", lang), flood_zone_layer(lang), True),
        (t("layer.rivers", lang), river_layer(lang), True),
        (t("layer.businesses", lang), geojson_layer("businesses", lang, cluster=True, pointToLayer=js("businessMarker"), clusterToLayer=js("countCluster"),
                                               superClusterOptions={"radius": 60, "maxZoom": 17}), False),
        (t("layer.tps", lang), geojson_layer("tps", lang, pointToLayer=js("tpsMarker")), True),
        (t("layer.complaints", lang), geojson_layer("complaints", lang, id=ids.COMPLAINTS_LAYER, url=complaints_url,
                                               pointToLayer=js("complaintMarker")), True),  # grouped on the server (store.complaint_grid)
        (t("layer.cameras", lang), camera_layers(lang, ids.SECTORS_LAYER, ids.CAMERAS_LAYER, camera_markers), True),
    ]


def camera_layers(lang: str, sectors_id: str | None = None, cameras_id: str | None = None, markers: dict | None = None) -> dl.LayerGroup:
    """Existing cameras with their view sectors (sectors shown while hideout `show` is true).
    `markers`: the cameras as GeoJSON with their live health status; without it they come by URL."""
    ids_of = lambda layer_id: {"id": layer_id} if layer_id else {}  # noqa: E731
    source = {"url": None, "data": markers} if markers is not None else {}
    return dl.LayerGroup([
        geojson_layer("camera_sectors", lang, **ids_of(sectors_id), style=js("sectorStyle"), interactive=False, onEachFeature=js("noPopup")),
        # cameras a few pixels apart would hide each other: they group until zoomed in (or spread at
        # the last zoom level); a group shows its count and its worst status
        geojson_layer("cameras", lang, **ids_of(cameras_id), **source, pointToLayer=js("cameraMarker"), cluster=True,
                      clusterToLayer=js("cameraCluster"), zoomToBoundsOnClick=True, superClusterOptions={"radius": 14, "maxZoom": 17}),
    ])


def base_layers(lang: str, basemap: Basemap) -> list[dl.BaseLayer]:
    """The tiles (when a tile URL is set) and the offline vector basemap, for a LayersControl."""
    layers = [dl.BaseLayer(dl.LayerGroup(), name=t("base.vector", lang), checked=not basemap.tile_url)]
    if basemap.tile_url:
        tiles = dl.TileLayer(url=basemap.tile_url, attribution=basemap.tile_attribution)
        layers.insert(0, dl.BaseLayer(tiles, name=t("base.osm", lang), checked=True))
    return layers


def land_pane(lang: str, basemap: Basemap) -> dl.Pane:
    """Land and roads drawn beneath the tiles: where tiles cannot load the city is still readable
    (the map's CSS class "city-map" paints the sea behind it). A road shows its name on hover."""
    return dl.Pane(name="land", style={"zIndex": 150}, children=[
        geojson_layer("land", lang, style=js("landStyle"), interactive=False, onEachFeature=js("noPopup")),
        geojson_layer("roads", lang, style=js("roadStyle")),
    ])


def credits(lang: str, basemap: Basemap) -> dl.AttributionControl:
    """The map's credits: the demo's boundaries and whatever the stored roads ask for (as text:
    Leaflet shows the prefix as HTML, and a road credit is typed by an admin)."""
    parts = ["Leaflet", t("attribution.demo", lang), basemap.road_credit]
    return dl.AttributionControl(prefix=" | ".join(escape(part) for part in parts if part), position="bottomright")


def base_map(lang: str, basemap: Basemap, overlays: list[tuple[str, object, bool]], *,
             map_id: str, control_id: str, above: list | None = None, center=AMBON_CENTER, zoom: int = 13,
             collapsed: bool = False, class_name: str = "city-map") -> dl.Map:
    """The city map frame: land beneath optional tiles (readable offline), `overlays` as
    (name, layer, shown at start) in a layer control, `above` (layers outside the control), and a
    metric scale."""
    bases = base_layers(lang, basemap)
    return dl.Map(
        id=map_id,
        center=center,
        zoom=zoom,
        minZoom=11,
        maxZoom=19,
        style={"height": "100%", "width": "100%"},
        className=class_name,
        attributionControl=False,
        children=[
            land_pane(lang, basemap),
            dl.LayersControl(
                id=control_id,
                baseLayer=bases[0].name,
                overlays=[name for name, _, shown in overlays if shown],
                collapsed=collapsed,
                sortLayers=True,  # by name: the same order on every load, whichever layer's data arrives first
                position="topright",
                children=bases + [dl.Overlay(layer, name=name, checked=shown) for name, layer, shown in overlays],
            ),
            *(above or []),
            dl.ScaleControl(position="bottomleft", imperial=False),
            credits(lang, basemap),
        ],
    )


def city_map(lang: str, basemap: Basemap, complaints_url: str, camera_markers: dict) -> dl.Map:
    # the cone of the camera whose live view is open
    selected_sector = geojson_layer("camera_sectors", lang, id=ids.CAM_SELECTED_SECTOR, url=None, style=js("selectedSectorStyle"),
                                    interactive=False, onEachFeature=js("noPopup"))
    return base_map(lang, basemap, _overlays(lang, complaints_url, camera_markers), map_id=ids.MAP,
                    control_id=ids.LAYERS_CONTROL, above=[selected_sector])


def _checklist_options(prefix: str, values, lang: str) -> list[dict]:
    return [{"label": t(f"{prefix}.{v}", lang), "value": v} for v in values]


def side_panel(lang: str, kecamatan_names: dict[str, str], date_range: tuple[date, date], agencies: Sequence[str],
               camera_period_s: float | None, scope_agency: str | None = None) -> html.Aside:
    """Operators' cameras come first (above the filters; beside them on a wide screen, see
    assets/ambon.css): below the filters they were out of sight on a 1366 x 768 laptop."""
    return html.Aside(
        className="side-panel" + (" with-cameras" if camera_period_s else ""),
        children=[
            *([html.P(t("scope.agency", lang).format(agency=scope_agency), className="scope-note", role="note")]
              if scope_agency else []),
            *([in_view_section(lang, camera_period_s)] if camera_period_s else []),
            html.Div(className="side-filters", children=[
                html.H2(t("filter.title", lang), className="panel-title"),
                html.Label(t("filter.dates", lang), htmlFor=ids.FILTER_DATES),
                date_range_picker(lang, id=ids.FILTER_DATES, min_date_allowed=date_range[0], max_date_allowed=date_range[1], className="mb-2"),
                html.Label(t("filter.status", lang)),
                dcc.Checklist(id=ids.FILTER_STATUS, options=_checklist_options("status", COMPLAINT_STATUSES, lang), value=[],
                              className="filter-checklist", inputClassName="form-check-input", labelClassName="form-check-label"),
                html.Label(t("filter.category", lang), htmlFor=ids.FILTER_CATEGORY),
                dropdown(lang, id=ids.FILTER_CATEGORY, options=_checklist_options("category", COMPLAINT_CATEGORIES, lang), multi=True,
                             placeholder=t("filter.all", lang)),
                html.Label(t("filter.agency", lang), htmlFor=ids.FILTER_AGENCY),
                dropdown(lang, id=ids.FILTER_AGENCY, options=_checklist_options("agency", agencies, lang), multi=True,
                             placeholder=t("filter.all", lang)),
                html.Label(t("filter.kecamatan", lang), htmlFor=ids.FILTER_KECAMATAN),
                dropdown(lang, id=ids.FILTER_KECAMATAN, options=[{"label": kecamatan_names.get(c, c), "value": c} for c in KECAMATAN_CODES],
                             multi=True, placeholder=t("filter.all", lang)),
                dcc.Checklist(id=ids.FILTER_OVERDUE, options=[{"label": t("filter.overdue", lang), "value": "overdue"}], value=[],
                              className="filter-checklist", inputClassName="form-check-input", labelClassName="form-check-label"),
                html.Label(t("filter.colour_by", lang)),
                dcc.RadioItems(id=ids.FILTER_COLOUR_BY, value="status", className="filter-checklist", inputClassName="form-check-input",
                               labelClassName="form-check-label", options=[{"label": t("filter.colour_status", lang), "value": "status"},
                                                                          {"label": t("filter.colour_deadline", lang), "value": "deadline"}]),
                html.Button(t("filter.reset", lang), id=ids.FILTER_RESET, className="btn btn-outline-secondary btn-sm mt-2"),
                html.Div(id=ids.FILTER_WARNING, className="filter-warning", role="status"),
                html.H2(t("counts.title", lang), className="panel-title mt-3"),
                html.Div(id=ids.COUNTS, className="counts", role="status", **{"aria-live": "polite"}),
            ]),
        ],
    )


def map_page(lang: str, basemap: Basemap, kecamatan_names: dict[str, str],
             date_range: tuple[date, date], complaints_url: str, camera_markers: dict, agencies: Sequence[str],
             camera_period_s: float | None, scope_agency: str | None = None) -> html.Div:
    """The map page. `agencies`: those the user may filter by (an agency's staff see only their own,
    `scope_agency`, said at the top of the panel); `camera_period_s` None leaves out the camera
    thumbnails and live view (roles that may not watch cameras)."""
    return html.Div(
        className="map-page",
        children=[
            side_panel(lang, kecamatan_names, date_range, agencies, camera_period_s, scope_agency),
            html.Div([city_map(lang, basemap, complaints_url, camera_markers), legend(lang), *([live_panel(lang, camera_period_s)] if camera_period_s else [])],
                     className="map-wrap"),
        ],
    )
