"""The coverage-gap page (/cakupan): planner's settings and results beside a map of today's
camera coverage, the gap hexagons and the recommended new sites."""
from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geo.roads import ROAD_GROUPS
from i18n import t
from geo.reader import PAGE_UPLOAD_BYTES
from i18n.format import number
from layouts import ids
from layouts.legend import box, camera_rows, land_sea_rows, legend_panel, row
from layouts.map_page import Basemap, base_map, camera_layers, geojson_layer, js as map_js
from store.vocabulary import COMPLAINT_CATEGORIES

js = Namespace("ambon", "coverage")

GAP_COLOURS = ["#fed976", "#fd8d3c", "#e31a1c", "#a50026", "#4d0019"]
"""Hexagon fill by uncovered weight, low to high (one more colour than class breaks): from a
yellow that still stands out on the basemap at zoom 14-16 to a near-black red."""
PROPOSED_COLOUR = "#ab47bc"
EXISTING_SECTOR_COLOUR = "#35a7d6"
EXPORT_FORMATS = (("geojson", "GeoJSON"), ("gpkg", "GeoPackage"), ("csv", "CSV"))


def _weight_input(key: str, value: float, label: str) -> html.Tr:
    return html.Tr([html.Td(label),
                    html.Td(dcc.Input(id={"type": ids.COV_WEIGHT, "key": key}, type="number", min=0, max=100, step=0.1,
                                      value=value, className="form-control form-control-sm cov-number"))])


def _weights(lang: str, weights: dict[str, float]) -> html.Div:
    def group(title_key: str, rows: list[html.Tr]) -> list[html.Tr]:
        return [html.Tr(html.Td(t(title_key, lang), colSpan=2, className="cov-group")), *rows]

    complaint_rows = [_weight_input(f"complaint.{c}", weights[f"complaint.{c}"], "· " + t(f"category.{c}", lang)) for c in COMPLAINT_CATEGORIES]
    road_rows = [_weight_input(f"road.{g}", weights[f"road.{g}"], "· " + t(f"road.{g}", lang)) for g in ROAD_GROUPS]
    other_rows = [_weight_input(key, weights[key], t(f"cov.weight.{key}", lang)) for key in ("tps", "flood", "business", "upload")]
    return html.Details([
        html.Summary(t("cov.weights", lang), className="panel-subtitle"),
        html.Table(html.Tbody(group("cov.weight.complaints", complaint_rows) + group("cov.weight.roads", road_rows) + other_rows),
                   className="cov-weights"),
    ], className="cov-weights-box")


def _number_field(label: str, element_id: str, value, **limits) -> html.Div:
    return html.Div([html.Label(label, htmlFor=element_id),
                     dcc.Input(id=element_id, type="number", value=value, className="form-control form-control-sm", **limits)])


def side_panel(lang: str, defaults, road_segments: int) -> html.Aside:
    """Settings, upload, run/cancel with progress, and the places results appear."""
    return html.Aside(className="side-panel cov-panel", children=[
        html.H2(t("cov.title", lang), className="panel-title"),
        html.P(t("cov.intro", lang), className="cov-intro"),
        # Run, Cancel and the progress stay in view at the top while the planner scrolls
        html.Div(className="cov-actions", children=[
            html.Button(t("cov.run", lang), id=ids.COV_RUN, className="btn btn-primary"),
            html.Button(t("cov.cancel", lang), id=ids.COV_CANCEL, className="btn btn-outline-danger", disabled=True),
            html.Div(id=ids.COV_PROGRESS_BOX, hidden=True, role="status", className="cov-progress-box", children=[
                html.Progress(id=ids.COV_PROGRESS, max=100, value=0, className="cov-progress"),
                html.Div(id=ids.COV_PROGRESS_LABEL, className="cov-progress-label"),
            ]),
        ]),
        html.P(t("cov.data_note.roads", lang).format(segments=number(road_segments, lang, 0)) if road_segments
               else t("cov.data_note.no_roads", lang), className="cov-note"),
        _weights(lang, defaults.weights),
        html.H3(t("cov.sites", lang), className="panel-subtitle"),
        dcc.RadioItems(id=ids.COV_MODE, value="k", className="filter-checklist", inputClassName="form-check-input",
                       options=[{"label": t("cov.mode.k", lang), "value": "k"}, {"label": t("cov.mode.budget", lang), "value": "budget"}]),
        _number_field(t("cov.k", lang), ids.COV_K, defaults.k, min=1, max=200, step=1),
        _number_field(t("cov.budget", lang), ids.COV_BUDGET, 500_000_000, min=0, step=1_000_000),
        _number_field(t("cov.cost", lang), ids.COV_COST, 50_000_000, min=0, step=1_000_000),
        _number_field(t("cov.radius", lang), ids.COV_RADIUS, defaults.radius_m, min=10, max=500, step=10),
        _number_field(t("cov.spacing", lang), ids.COV_SPACING, defaults.min_spacing_m, min=0, max=2000, step=10),
        _number_field(t("cov.quota", lang), ids.COV_QUOTA, defaults.per_kecamatan, min=1, max=200, step=1),
        html.P(t("cov.spread_help", lang), className="cov-intro"),
        _number_field(t("cov.time_limit", lang), ids.COV_TIME_LIMIT, defaults.time_limit_s, min=1, max=600, step=1),
        html.H3(t("cov.upload", lang), className="panel-subtitle"),
        dcc.RadioItems(id=ids.COV_UPLOAD_PURPOSE, value="demand", className="filter-checklist", inputClassName="form-check-input",
                       options=[{"label": t("cov.upload.demand", lang), "value": "demand"},
                                {"label": t("cov.upload.candidates", lang), "value": "candidates"},
                                {"label": t("cov.upload.obstacles", lang), "value": "obstacles"}]),
        dcc.Upload(id=ids.COV_UPLOAD, children=html.Div(t("cov.upload.drop", lang).format(mb=PAGE_UPLOAD_BYTES // 2**20)), className="cov-upload",
                   max_size=PAGE_UPLOAD_BYTES),
        html.Div(id=ids.COV_UPLOAD_MESSAGE, className="filter-warning", role="alert"),
        html.Ul(id=ids.COV_UPLOAD_LIST, className="cov-upload-list"),
        html.Button(t("cov.upload.clear", lang), id=ids.COV_UPLOAD_CLEAR, className="btn btn-outline-secondary btn-sm"),
        dcc.Store(id=ids.COV_UPLOADS, data={}),
        html.Div(id=ids.COV_MESSAGE, className="filter-warning", role="alert"),
        html.Div(id=ids.COV_SUMMARY),
        html.Div(id=ids.COV_RESULTS),
        html.Div(id=ids.COV_GAPS),
    ])


def result_hideout(lang: str, breaks: list[float]) -> dict:
    """What the result layers' browser functions need: texts, colours and the hexagon class breaks."""
    labels = {"rank": t("cov.popup.rank", lang), "gain": t("cov.popup.gain", lang), "reason": t("cov.popup.reason", lang),
              "unit": t("cov.unit.weight", lang), "uncovered": t("cov.popup.uncovered", lang),
              "covered": t("cov.popup.covered", lang), "lang": lang}
    return {"labels": labels, "colours": GAP_COLOURS, "breaks": breaks, "proposed": PROPOSED_COLOUR}


def coverage_map(lang: str, basemap: Basemap) -> dl.Map:
    hideout = result_hideout(lang, [])
    overlays = [
        (t("layer.kecamatan", lang), geojson_layer("kecamatan", lang, style=map_js("kecamatanStyle")), True),
        (t("cov.layer.hexes", lang), dl.GeoJSON(id=ids.COV_HEXES, data=None, hideout=hideout, style=js("hexStyle"),
                                                onEachFeature=js("hexPopup")), True),
        (t("layer.cameras", lang), camera_layers(lang), True),
        (t("cov.layer.proposed", lang), dl.GeoJSON(id=ids.COV_PROPOSED, data=None, hideout=hideout, style=js("proposedStyle"),
                                                   interactive=False), True),
        (t("cov.layer.sites", lang), dl.GeoJSON(id=ids.COV_SITES, data=None, hideout=hideout, pointToLayer=js("siteMarker"),
                                                onEachFeature=js("sitePopup")), True),
    ]
    return base_map(lang, basemap, overlays, map_id=ids.COV_MAP, control_id=ids.COV_LAYERS_CONTROL)


def gap_legend_rows(lang: str, breaks: list[float]) -> list:
    """Legend rows of the hexagon classes: "< 2", "2 – 5", ..., "≥ 20" weight points."""
    if not breaks:
        return [html.Div(t("cov.legend.run_first", lang), className="legend-row")]
    unit = t("cov.unit.weight", lang)
    edges = [number(b, lang, 1) for b in breaks]
    labels = [f"< {edges[0]}"] + [f"{lo} – {hi}" for lo, hi in zip(edges, edges[1:])] + [f"≥ {edges[-1]}"]
    return [row(box(colour), f"{label} {unit}") for colour, label in zip(GAP_COLOURS, labels)]


def coverage_legend(lang: str) -> html.Div:
    sections = [
        (t("cov.legend.hexes", lang), [html.Div(gap_legend_rows(lang, []), id=ids.COV_GAP_LEGEND)]),
        (t("cov.layer.sites", lang), [row(html.Span("1", className="cov-site-icon"), t("cov.legend.site", lang)),
                                      row(box(PROPOSED_COLOUR), t("cov.legend.heading", lang))]),
        (t("layer.cameras", lang), camera_rows(lang) + [row(box(EXISTING_SECTOR_COLOUR, "#0b6e99"), t("cov.legend.existing", lang))]),
        (t("layer.kecamatan", lang), [row(html.Span(className="legend-line kecamatan"), t("layer.kecamatan", lang)),
                                      *land_sea_rows(lang)]),
    ]
    return legend_panel(lang, sections, ids.COV_LEGEND, fold=True)


def coverage_page(lang: str, basemap: Basemap, defaults, road_segments: int) -> html.Div:
    """`defaults`: the :class:`planning.coverage_analysis.AnalysisParams` the form starts from."""
    return html.Div(className="map-page", children=[
        side_panel(lang, defaults, road_segments),
        html.Div([coverage_map(lang, basemap), coverage_legend(lang)], className="map-wrap"),
    ])


def progress_label(lang: str, fraction: float, stage: str) -> str:
    """"42 % · Searching ..."; a solve stage with its certified gap ("solve:2.4") says how far the
    best answer so far can be from the best possible."""
    stage, _, gap = stage.partition(":")
    if stage == "solve" and gap:
        try:
            text = t("cov.stage.solve_gap", lang).format(gap=number(float(gap), lang, 1))
        except ValueError:
            text = t("cov.stage.solve", lang)
    else:
        text = t(f"cov.stage.{stage}", lang)
    return f"{round(100 * fraction)} % · {text}"


def compass(lang: str, heading_deg) -> str:
    """"south-east (135°)": a heading in degrees clockwise from north, with its compass point."""
    if heading_deg is None or heading_deg != heading_deg:
        return "–"
    point = int(round(float(heading_deg) / 45.0)) % 8 * 45
    return f"{t(f'cov.compass.{point}', lang)} ({number(float(heading_deg), lang, 0)}°)"


def summary_table(lang: str, solution: dict) -> html.Div:
    unit = t("cov.unit.weight", lang)
    total = solution["total_weight"]

    def share(weight: float) -> str:
        return f"{number(weight, lang, 1)} {t('cov.popup.covered', lang).lower()} / {number(total, lang, 1)} {unit} ({number(100 * weight / total, lang, 0)} %)"

    rows = [
        (t("cov.summary.today", lang), share(solution["existing_weight"])),
        (t("cov.summary.after", lang), share(solution["covered_weight"])),
        (t("cov.summary.method", lang), t(f"cov.method.{solution['method']}", lang)),
        (t("cov.summary.gap", lang), f"{number(100 * solution['gap'], lang, 2)} %"),
        (t("cov.summary.candidates", lang), f"{number(solution['candidates'], lang, 0)} {t('unit.items', lang)} ({t('cov.source.' + solution['candidate_source'], lang)})"),
        (t("cov.summary.seconds", lang), f"{number(solution['seconds'], lang, 1)} s"),
    ]
    if solution.get("obstacles"):
        rows.insert(-1, (t("cov.summary.obstacles", lang), f"{number(solution['obstacles'], lang, 0)} {t('cov.unit.polygons', lang)}"))
    return html.Div([html.H3(t("cov.summary.title", lang), className="panel-subtitle"),
                     html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in rows]), className="cov-table"),
                     html.P(t("cov.unit.weight_help", lang), className="cov-note"),
                     html.P(t("cov.summary.gap_help", lang), className="cov-note")])


def results_table(lang: str, sites: list[dict], export_base: str | None) -> html.Div:
    """Rank, gain (weight points), desa and kecamatan, and reason of every recommended site, and the download links."""
    unit = t("cov.unit.weight", lang)
    header = html.Tr([html.Th(t("cov.col.rank", lang)), html.Th(t("cov.col.gain", lang)), html.Th(t("cov.col.place", lang)),
                      html.Th(t("cov.col.heading", lang))])
    # one block per site: its figures on a line, its reason below across the whole width
    body = [html.Tbody([
        html.Tr([html.Td(site["rank"], className="num cov-rank"),
                 html.Td(f"{number(site['marginal_weight'], lang, 1)} {unit}", className="num"),
                 html.Td(", ".join(filter(None, [site.get("desa"), site.get("kecamatan")])) or "–"),
                 html.Td(compass(lang, site.get("heading_deg")), className="cov-heading")]),
        html.Tr(html.Td([html.Span(t("cov.col.reason", lang) + ": ", className="cov-reason-label"), site[f"reason_{lang}"]],
                        colSpan=4, className="cov-reason")),
    ], className="cov-site-row") for site in sites]
    links = [html.A(label, href=f"{export_base}.{fmt}?lang={lang}", className="btn btn-outline-primary btn-sm", download="")
             for fmt, label in EXPORT_FORMATS] if export_base else []
    return html.Div([html.H3(t("cov.results.title", lang), className="panel-subtitle"),
                     html.Table([html.Thead(header), *body], className="cov-table cov-sites"),
                     html.Div([html.Span(t("cov.export", lang) + ": ")] + links, className="cov-export")])


def gaps_panel(lang: str, sentences: list[str], kecamatan: list[dict]) -> html.Div:
    """Today's coverage: one sentence per layer, then a table per kecamatan (weight points)."""
    unit = t("cov.unit.weight", lang)
    header = html.Tr([html.Th(t("cov.col.kecamatan", lang)), html.Th(t("cov.col.covered", lang)), html.Th(t("cov.col.uncovered", lang))])
    body = [html.Tr([html.Td(area["name"]), html.Td(f"{number(area['pct_weight'] or 0, lang, 0)} %", className="num"),
                     html.Td(f"{number(area['uncovered_weight'], lang, 1)} {unit}", className="num")]) for area in kecamatan]
    return html.Div([html.H3(t("cov.gaps.title", lang), className="panel-subtitle"),
                     html.Ul([html.Li(s) for s in sentences], className="cov-sentences"),
                     html.H3(t("cov.gaps.kecamatan", lang), className="panel-subtitle"),
                     html.Table([html.Thead(header), html.Tbody(body)], className="cov-table")])
