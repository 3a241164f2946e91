"""The admin page's layer import: preview a file (read, mapped, checked, drawn), commit or undo, and
the layer's history and exports. The guard lets only admins call these (ids "admin-")."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import flask
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from uploads import UploadRejected, decode_data_url
from routes.auth import current_account
from geo.geojson import to_geojson_bytes
from i18n import t
from i18n.format import number, wit_time
from imports.commit import commit, history, latest_import, remembered_mapping, undo
from imports.export import FORMATS
from imports.prepare import Prepared, prepare, suggest_mapping
from geo.reader import PAGE_UPLOAD_BYTES, ImportRefused, read_bytes
from imports.report import refusal_text, report_lines
from imports.specs import SPECS
from background import background_manager
from config import Settings
from imports.staging import stage, staged, staged_by
from layouts import ids
from layouts.admin_page import table
from layouts.import_panel import CRS_CHOICES, import_section, mapping_controls
from services import current_services

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = PAGE_UPLOAD_BYTES
PREVIEW_FEATURES = 5000
"""Rows drawn on the preview map (the report counts them all)."""
REPORT_ROWS = 200


def _crs(value) -> str | None:
    return value if value in CRS_CHOICES else None


def _layer(value) -> str:
    return value if value in SPECS else next(iter(SPECS))


def _mapping(values: list, layer: str) -> dict[str, str | None]:
    """The dropdowns' values as a mapping (in the spec's field order, as the layout draws them)."""
    names = [field.name for field in SPECS[layer].fields]
    return {name: value if isinstance(value, str) else None for name, value in zip(names, values)} if len(values) == len(names) else {}


def _summary(prepared: Prepared, filename: str, lang: str) -> str:
    counts = prepared.counts
    return t("imp.summary", lang).format(file=filename, total=number(len(prepared.report), lang),
                                         **{k: number(v, lang) for k, v in counts.items()})


def _report(prepared: Prepared, lang: str) -> list:
    lines = report_lines(prepared, lang, REPORT_ROWS)
    rest = int((prepared.report["status"] != "taken").sum()) - len(lines)
    more = [html.P(t("imp.more_rows", lang).format(count=number(rest, lang)))] if rest > 0 else []
    return [table([t("imp.row", lang), t("imp.status", lang), t("imp.reason", lang)], [list(line) for line in lines]), *more]


def _preview_geojson(prepared: Prepared) -> dict:
    features = prepared.features.head(PREVIEW_FEATURES)
    shown = features[["geometry"]].assign(row=prepared.report.loc[features.index, "row"].to_numpy(),
                                          status=prepared.report.loc[features.index, "status"].to_numpy())
    if "name" in features:
        shown["name"] = features["name"].to_numpy()
    return json.loads(to_geojson_bytes(shown, [c for c in ("row", "status", "name") if c in shown]))


def section(lang: str):
    """The import section of the admin page."""
    return import_section(lang, tuple(SPECS), MAX_UPLOAD_BYTES)


def _staging_folder(settings: Settings) -> Path:
    return settings.instance_dir / "imports"


def register(app: Dash, settings: Settings) -> None:
    """`settings`: where this app's jobs run."""

    @app.callback(
        Output(ids.ADMIN_IMP_TOKEN, "data"), Output(ids.ADMIN_IMP_MAPPING, "children"), Output(ids.ADMIN_IMP_PREVIEW, "data"),
        Output(ids.ADMIN_IMP_REPORT, "children"), Output(ids.ADMIN_IMP_MESSAGE, "children"),
        Input(ids.ADMIN_IMP_UPLOAD, "contents"), Input(ids.ADMIN_IMP_LAYER, "value"), Input(ids.ADMIN_IMP_CRS, "value"),
        Input({"type": ids.ADMIN_IMP_MAP_FIELD, "field": ALL}, "value"),
        State(ids.ADMIN_IMP_UPLOAD, "filename"), State(ids.ADMIN_IMP_TOKEN, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def preview(contents, layer, crs, mapping_values, filename, token, lang):
        """Read the file (a new upload is staged), suggest or apply the mapping, and show the rows."""
        layer, name = _layer(layer), str(filename or "")[:80]
        empty = {"type": "FeatureCollection", "features": []}
        services = current_services()
        engine, folder = services.engine, _staging_folder(services.settings)
        try:
            if ctx.triggered_id == ids.ADMIN_IMP_UPLOAD:
                data = decode_data_url(contents, MAX_UPLOAD_BYTES)
                token = stage(folder, data, {"username": current_account().username, "ip": flask.request.remote_addr})
            else:
                data = staged(folder, token)
                if data is None:
                    return no_update, [], empty, [], ""
            raw = read_bytes(data, crs=_crs(crs))
            chosen = _mapping(mapping_values, layer) if isinstance(ctx.triggered_id, dict) else None
            mapping = chosen or suggest_mapping(raw.columns, SPECS[layer], remembered_mapping(engine, layer))
            prepared = prepare(raw, SPECS[layer], mapping)
        except (ImportRefused, UploadRejected) as refused:
            why = refusal_text(refused if isinstance(refused, ImportRefused) else ImportRefused(refused.code, str(refused)), lang)
            return token, [], empty, [], t("imp.refused", lang).format(why=why)
        except Exception:  # noqa: BLE001 - a file no check foresaw: the admin gets a message, the log the trace
            log.exception("import preview failed")
            return token, [], empty, [], t("imp.refused", lang).format(why=t("imp.why.unreadable", lang))
        spec = SPECS[layer]
        controls = no_update if chosen else mapping_controls(lang, [(f.name, f.unit, f.required) for f in spec.fields], raw.columns, prepared.mapping)
        return token, controls, _preview_geojson(prepared), _report(prepared, lang), _summary(prepared, name, lang)

    @app.callback(
        Output(ids.ADMIN_IMP_RESULT, "children"), Output(ids.ADMIN_IMP_DONE, "data"),
        Input(ids.ADMIN_IMP_COMMIT, "n_clicks"),
        State(ids.ADMIN_IMP_LAYER, "value"), State(ids.ADMIN_IMP_CRS, "value"), State({"type": ids.ADMIN_IMP_MAP_FIELD, "field": ALL}, "value"),
        State(ids.ADMIN_IMP_ALL, "value"), State(ids.ADMIN_IMP_TOKEN, "data"), State(ids.ADMIN_IMP_UPLOAD, "filename"),
        State(ids.ADMIN_IMP_DONE, "data"), State(ids.LANG_STORE, "data"),
        background=True,
        manager=background_manager(settings),
        interval=500,
        running=[(Output(ids.ADMIN_IMP_COMMIT, "disabled"), True, False), (Output(ids.ADMIN_IMP_UNDO, "disabled"), True, False),
                 (Output(ids.ADMIN_IMP_PROGRESS_BOX, "hidden"), False, True)],
        progress=[Output(ids.ADMIN_IMP_PROGRESS, "value"), Output(ids.ADMIN_IMP_PROGRESS_LABEL, "children")],
        progress_default=[0, ""],
        prevent_initial_call=True,
    )
    def commit_file(set_progress, _commit, layer, crs, mapping_values, all_or_nothing, token, filename, done, lang):
        """Commit the staged file with the chosen mapping: a background job with a progress bar,
        the page usable meanwhile. Who did it is known from the staged file (the job runs outside
        the request)."""
        services = current_services()
        engine, folder = services.engine, _staging_folder(services.settings)
        engine.dispose(close=False)  # a forked job must not share the web process's connections
        layer = _layer(layer)
        try:
            data = staged(folder, token)
            if data is None:
                return t("imp.nothing_to_commit", lang), no_update
            who = staged_by(folder, token)
            prepared = prepare(read_bytes(data, crs=_crs(crs)), SPECS[layer], _mapping(mapping_values, layer) or None)

            def progress(rows_done: int, total: int) -> None:
                set_progress((round(100 * rows_done / max(total, 1)), t("imp.progress", lang).format(
                    done=number(rows_done, lang), total=number(total, lang))))

            result = commit(engine, prepared, username=who.get("username"), source_name=str(filename or "")[:200],
                            all_or_nothing="all" in (all_or_nothing or []), ip=who.get("ip"), progress=progress)
        except ImportRefused as refused:
            return t("imp.refused", lang).format(why=refusal_text(refused, lang)), no_update
        except Exception:  # noqa: BLE001 - the transaction rolled back; the admin gets a message, the log the trace
            log.exception("import commit failed")
            return t("imp.refused", lang).format(why=t("imp.why.failed", lang)), no_update
        return t("imp.committed", lang).format(id=result.import_id, inserted=number(result.inserted, lang), updated=number(result.updated, lang),
                                               deleted=number(result.deleted, lang), kept=number(result.kept_referenced, lang)), (done or 0) + 1

    @app.callback(
        Output(ids.ADMIN_IMP_RESULT, "children", allow_duplicate=True), Output(ids.ADMIN_IMP_DONE, "data", allow_duplicate=True),
        Input(ids.ADMIN_IMP_UNDO, "n_clicks"), State(ids.ADMIN_IMP_LAYER, "value"), State(ids.ADMIN_IMP_DONE, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def undo_latest(_clicks, layer, done, lang):
        """Put the layer back as it was before its latest import."""
        layer = _layer(layer)
        engine = current_services().engine
        import_id = latest_import(engine, layer)
        try:
            if import_id is None:
                raise ImportRefused("unknown_import", "nothing to undo")
            undo(engine, import_id, username=current_account().username, ip=flask.request.remote_addr)
        except ImportRefused as refused:
            return t("imp.refused", lang).format(why=refusal_text(refused, lang)), no_update
        return t("imp.undone", lang).format(id=import_id), (done or 0) + 1

    @app.callback(
        Output(ids.ADMIN_IMP_HISTORY, "children"), Output(ids.ADMIN_IMP_EXPORT, "children"),
        Input(ids.ADMIN_IMP_LAYER, "value"), Input(ids.ADMIN_IMP_DONE, "data"), State(ids.LANG_STORE, "data"),
    )
    def layer_info(layer, _done, lang):
        """The layer's latest imports and links to export it."""
        layer = _layer(layer)
        rows = [[f"#{i['id']}", wit_time(i["created_at"]), i["username"], i["source_name"], t(f"imp.mode.{i['mode']}", lang),
                 " · ".join(f"{t(f'imp.status.{k}', lang)} {number(v, lang)}" for k, v in (i["counts"] or {}).items()),
                 wit_time(i["undone_at"]) if i["undone_at"] else ""] for i in history(current_services().engine, layer)]
        headers = [t(k, lang) for k in ("imp.h.id", "imp.h.time", "admin.username", "imp.h.file", "imp.h.mode", "imp.h.rows", "imp.h.undone")]
        links = [html.Span(t("imp.export", lang) + ":")] + [
            html.A(fmt.upper(), href=f"/api/export/{layer}.{fmt}", className="btn btn-sm btn-outline-secondary", download=f"{layer}.{fmt}")
            for fmt in FORMATS]
        return table(headers, rows), links
