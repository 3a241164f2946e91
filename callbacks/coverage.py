"""Coverage-gap page: the analysis as a background job (progress, cancel), uploads, downloads."""
from __future__ import annotations

import logging

import dash
import orjson
import pandas as pd
from dash import ALL, Dash, Input, Output, State, html, no_update

from routes.auth import audit_event
from background import background_manager, ended_by_sigterm
from config import Settings
from geo.geojson import to_geojson_bytes
from i18n import normalise_language, t
from layouts import ids
from layouts.coverage_page import coverage_page, gap_legend_rows, gaps_panel, progress_label, result_hideout, results_table, summary_table
from planning.artifacts import ArtifactStore
from planning.coverage_analysis import AnalysisParams, NoDemand, analyse, class_breaks, parse_params, read_city_layers
from planning.geometry_cache import GeometryCache
from planning.uploads import UploadError, decode_contents, polygons_only, read_upload
from routes.coverage import init_coverage_routes
from routes.language import request_language
from services import current_services
from store.roads import road_count

log = logging.getLogger(__name__)
UPLOAD_PURPOSES = ("demand", "candidates", "obstacles")


def _geojson(frame, columns: list[str]) -> dict:
    return orjson.loads(to_geojson_bytes(frame, columns, decimals=6))


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def record_coverage_answer(engine, by_kecamatan: pd.DataFrame) -> None:
    """Give the leaders' board today's uncovered share of the planner's demand (never fails the analysis)."""
    from datetime import datetime

    from leaders.rollup import record_coverage, wit_day

    try:
        record_coverage(engine, wit_day(datetime.utcnow()), float(by_kecamatan["uncovered_weight"].sum()),
                        float(by_kecamatan["total_weight"].sum()))
    except Exception:  # noqa: BLE001 - the board's figure is a by-product; the planner still gets the answer
        log.exception("coverage answer not kept for the leaders' board")


def artifact_store(settings: Settings) -> ArtifactStore:
    """Where the analysis keeps its results and the planner's uploads."""
    return ArtifactStore(settings.instance_dir / "coverage", settings.redis_url, key_prefix=settings.cache_key_prefix)


def geometry_cache(settings: Settings) -> GeometryCache:
    """Where the analysis keeps the geometry of recent runs (for reruns with other weights)."""
    return GeometryCache(settings.instance_dir / "coverage-geometry", settings.coverage_cache_mb)


def page_layout(**_query):
    services = current_services()
    return coverage_page(request_language(), services.basemap(), AnalysisParams(), road_count(services.engine))


def register(app: Dash, settings: Settings) -> None:
    """`settings`: where this app's jobs run, and its downloads' store."""
    init_coverage_routes(app.server, artifact_store(settings))
    dash.register_page("cakupan", path="/cakupan", order=20, name=t("nav.coverage", "id"), layout=page_layout,
                       nav_key="nav.coverage", permission="coverage")

    # the results appear below the form: bring them into view when a run ends
    app.clientside_callback(
        """function (summary) {
            const results = document.getElementById('%s');
            const panel = results && results.closest('aside');
            if (summary && panel) {  // scroll the side panel only, never the page under the header
                panel.scrollBy({top: results.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8, behavior: 'smooth'});
            }
        }""" % ids.COV_SUMMARY,
        Input(ids.COV_SUMMARY, "children"),
        prevent_initial_call=True,
    )

    # and show where the new sites are
    app.clientside_callback(
        """function (sites) {
            const points = ((sites || {}).features || []).map(function (f) { return f.geometry.coordinates; });
            if (!points.length) { return window.dash_clientside.no_update; }
            const lons = points.map(function (p) { return p[0]; }), lats = points.map(function (p) { return p[1]; });
            return {bounds: [[Math.min.apply(null, lats), Math.min.apply(null, lons)], [Math.max.apply(null, lats), Math.max.apply(null, lons)]],
                    transition: "flyToBounds", options: {padding: [60, 60], maxZoom: 16}};
        }""",
        Output(ids.COV_MAP, "viewport"),
        Input(ids.COV_SITES, "data"),
        prevent_initial_call=True,
    )

    def failure(lang: str, message: str) -> tuple:
        return None, result_hideout(lang, []), gap_legend_rows(lang, []), None, None, None, None, None, message

    @app.callback(
        Output(ids.COV_HEXES, "data"),
        Output(ids.COV_HEXES, "hideout"),
        Output(ids.COV_GAP_LEGEND, "children"),
        Output(ids.COV_SITES, "data"),
        Output(ids.COV_PROPOSED, "data"),
        Output(ids.COV_SUMMARY, "children"),
        Output(ids.COV_RESULTS, "children"),
        Output(ids.COV_GAPS, "children"),
        Output(ids.COV_MESSAGE, "children"),
        Input(ids.COV_RUN, "n_clicks"),
        State({"type": ids.COV_WEIGHT, "key": ALL}, "value"),
        State({"type": ids.COV_WEIGHT, "key": ALL}, "id"),
        State(ids.COV_MODE, "value"),
        State(ids.COV_K, "value"),
        State(ids.COV_BUDGET, "value"),
        State(ids.COV_COST, "value"),
        State(ids.COV_RADIUS, "value"),
        State(ids.COV_SPACING, "value"),
        State(ids.COV_TIME_LIMIT, "value"),
        State(ids.COV_QUOTA, "value"),
        State(ids.COV_UPLOADS, "data"),
        State(ids.LANG_STORE, "data"),
        background=True,
        manager=background_manager(settings),
        interval=500,
        running=[
            (Output(ids.COV_RUN, "disabled"), True, False),
            (Output(ids.COV_CANCEL, "disabled"), False, True),
            (Output(ids.COV_PROGRESS_BOX, "hidden"), False, True),
            (Output(ids.COV_MESSAGE, "hidden"), True, False),
        ],
        progress=[Output(ids.COV_PROGRESS, "value"), Output(ids.COV_PROGRESS_LABEL, "children")],
        progress_default=[0, ""],
        cancel=[Input(ids.COV_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def run_analysis(set_progress, _clicks, weight_values, weight_ids, mode, k, budget, cost, radius, spacing, time_limit, quota,
                     uploads, lang):
        lang = normalise_language(lang)
        services = current_services()
        artifacts = artifact_store(services.settings)
        # a forked job must not share the web process's database connections
        services.engine.dispose(close=False)
        weights = {wid.get("key"): value for wid, value in zip(weight_ids or [], weight_values or []) if isinstance(wid, dict)}
        params, problems = parse_params({"weights": weights, "mode": mode, "k": k, "budget": budget, "cost_per_site": cost,
                                         "radius_m": radius, "min_spacing_m": spacing, "time_limit_s": time_limit,
                                         "per_kecamatan": quota})
        if problems:
            fields = sorted({t("cov.field." + p.split(".")[0], lang) for p in problems})
            return failure(lang, t("cov.invalid", lang).format(fields=", ".join(fields)))
        layers_by_purpose = {}
        for purpose, entry in (uploads if isinstance(uploads, dict) else {}).items():
            if purpose in UPLOAD_PURPOSES and isinstance(entry, dict):
                layers_by_purpose[purpose] = artifacts.get(entry.get("id"))
                if layers_by_purpose[purpose] is None:
                    return failure(lang, t("cov.upload.expired", lang))
        try:
            with ended_by_sigterm():
                result = analyse(read_city_layers(services.engine), params, extra_demand=layers_by_purpose.get("demand"),
                                 candidates=layers_by_purpose.get("candidates"), obstacles=layers_by_purpose.get("obstacles"),
                                 cache=geometry_cache(services.settings),
                                 progress=lambda fraction, stage: set_progress((round(100 * fraction), progress_label(lang, fraction, stage))))
        except NoDemand:
            return failure(lang, t("cov.no_demand", lang))
        except Exception:  # noqa: BLE001 - the planner gets a message, the log gets the trace
            log.exception("coverage analysis failed")
            return failure(lang, t("cov.failed", lang))
        record_coverage_answer(services.engine, result.by_kecamatan)
        breaks = class_breaks(result.hexes["uncovered_weight"])
        result_id = artifacts.put(result.sites)
        sites = _records(pd.DataFrame(result.sites.drop(columns="geometry")))
        return (
            _geojson(result.hexes, ["uncovered_weight", "total_weight", "pct_covered"]),
            result_hideout(lang, breaks),
            gap_legend_rows(lang, breaks),
            _geojson(result.sites, ["rank", "marginal_weight", "reason_id", "reason_en"]),
            _geojson(result.sectors, ["rank", "heading_deg"]),
            summary_table(lang, result.solution),
            results_table(lang, sites, f"/api/coverage/{result_id}"),
            gaps_panel(lang, result.sentences[lang], _records(result.by_kecamatan)),
            "",
        )

    @app.callback(
        Output(ids.COV_MESSAGE, "children", allow_duplicate=True),
        Input(ids.COV_CANCEL, "n_clicks"),
        State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def say_cancelled(_clicks, lang):
        return t("cov.cancelled", normalise_language(lang))

    @app.callback(
        Output(ids.COV_UPLOADS, "data"),
        Output(ids.COV_UPLOAD_MESSAGE, "children"),
        Output(ids.COV_UPLOAD, "contents"),
        Input(ids.COV_UPLOAD, "contents"),
        State(ids.COV_UPLOAD, "filename"),
        State(ids.COV_UPLOAD_PURPOSE, "value"),
        State(ids.COV_UPLOADS, "data"),
        State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def receive_upload(contents, filename, purpose, uploads, lang):
        lang = normalise_language(lang)
        if contents is None:
            return no_update, no_update, no_update
        purpose = purpose if purpose in UPLOAD_PURPOSES else "demand"
        try:
            layer = read_upload(decode_contents(contents), purpose)
            if purpose == "obstacles":
                layer = polygons_only(layer)
        except UploadError as error:
            audit_event("import.coverage_upload.refused", purpose, {"file": str(filename or "")[:80], "why": error.code})
            return no_update, error.text(lang), None
        entry = {"id": artifact_store(current_services().settings).put(layer), "name": str(filename or "")[:80], "count": len(layer)}
        audit_event("import.coverage_upload", purpose, {"file": entry["name"], "features": entry["count"]})
        return {**(uploads if isinstance(uploads, dict) else {}), purpose: entry}, "", None

    @app.callback(
        Output(ids.COV_UPLOADS, "data", allow_duplicate=True),
        Input(ids.COV_UPLOAD_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def clear_uploads(_clicks):
        return {}

    @app.callback(Output(ids.COV_UPLOAD_LIST, "children"), Input(ids.COV_UPLOADS, "data"), State(ids.LANG_STORE, "data"))
    def list_uploads(uploads, lang):
        lang = normalise_language(lang)
        entries = [(p, e) for p, e in (uploads or {}).items() if p in UPLOAD_PURPOSES and isinstance(e, dict)]
        return [html.Li(f"{t('cov.upload.' + purpose, lang)} — " + t("cov.upload.loaded", lang).format(name=entry.get("name", ""), count=entry.get("count", 0)))
                for purpose, entry in entries]
