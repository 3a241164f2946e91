"""The admin page's layer import: layer and CRS, the file, the column mapping, a preview map with
its legend, the row report, commit and undo, and the layer's exports. Filled by callbacks.imports."""
from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geo.ambon import BOUNDARY_CREDIT
from i18n import t
from layouts import ids
from layouts.controls import dropdown
from layouts.legend import dot, row
from layouts.map_page import AMBON_CENTER, js as map_js

js = Namespace("ambon", "imports")
CRS_CHOICES = ("EPSG:4326", "EPSG:32752", "EPSG:4755")
"""WGS 84, UTM 52S, DGN95: what files about Ambon come in."""


def import_section(lang: str, layers: tuple[str, ...], max_upload_bytes: int) -> html.Section:
    crs_options = [{"label": t("imp.crs.none", lang), "value": ""}] + [{"label": crs, "value": crs} for crs in CRS_CHOICES]
    return html.Section(className="admin-section", children=[
        html.H2(t("imp.title", lang), className="panel-title"),
        html.P(t("imp.intro", lang)),
        html.Div(className="admin-form", children=[
            html.Div([html.Label(t("imp.layer", lang), htmlFor=ids.ADMIN_IMP_LAYER, className="form-label mb-0"),
                      dropdown(lang, id=ids.ADMIN_IMP_LAYER, value=layers[0], clearable=False,
                               options=[{"label": t(f"imp.layer.{layer}", lang), "value": layer} for layer in layers])], className="admin-field"),
            html.Div([html.Label(t("imp.crs", lang), htmlFor=ids.ADMIN_IMP_CRS, className="form-label mb-0"),
                      dropdown(lang, id=ids.ADMIN_IMP_CRS, value="", clearable=False, options=crs_options)], className="admin-field"),
        ]),
        dcc.Upload(id=ids.ADMIN_IMP_UPLOAD, children=html.Div(t("imp.upload", lang)), className="cov-upload", max_size=max_upload_bytes),
        dcc.Store(id=ids.ADMIN_IMP_TOKEN), dcc.Store(id=ids.ADMIN_IMP_DONE, data=0),
        html.Div(id=ids.ADMIN_IMP_EXPORT, className="admin-buttons"),
        html.H3(t("imp.mapping", lang), className="panel-subtitle"),
        html.Div(id=ids.ADMIN_IMP_MAPPING, className="admin-form"),
        dcc.Checklist(id=ids.ADMIN_IMP_ALL, options=[{"label": t("imp.all_or_nothing", lang), "value": "all"}], value=[],
                      className="filter-checklist", inputClassName="form-check-input"),
        html.Div([html.Button(t("imp.commit", lang), id=ids.ADMIN_IMP_COMMIT, className="btn btn-sm btn-primary"),
                  html.Button(t("imp.undo", lang), id=ids.ADMIN_IMP_UNDO, className="btn btn-sm btn-outline-danger")], className="admin-buttons"),
        dcc.Loading(html.Div(id=ids.ADMIN_IMP_MESSAGE, className="admin-message", role="status"), type="dot"),
        html.Div(id=ids.ADMIN_IMP_PROGRESS_BOX, hidden=True, role="status", children=[
            html.Progress(id=ids.ADMIN_IMP_PROGRESS, max=100, value=0, className="cov-progress"),
            html.Div(id=ids.ADMIN_IMP_PROGRESS_LABEL, className="cov-progress-label")]),
        html.Div(id=ids.ADMIN_IMP_RESULT, className="admin-message", role="status"),
        html.Div(className="imp-preview", children=[
            dl.Map(id=ids.ADMIN_IMP_MAP, center=AMBON_CENTER, zoom=11, style={"height": "320px"}, className="city-map",
                   attributionControl=False, children=[
                dl.GeoJSON(url="/api/layers/land.geojson", style=map_js("landStyle"), interactive=False),
                dl.GeoJSON(id=ids.ADMIN_IMP_PREVIEW, pointToLayer=js("rowPoint"), style=js("rowStyle"), onEachFeature=js("rowPopup")),
                dl.ScaleControl(position="bottomleft", imperial=False),
                dl.AttributionControl(prefix=f"Leaflet | {BOUNDARY_CREDIT}", position="bottomright"),
            ]),
            html.Div(style={"display": "flex", "gap": "1rem", "alignItems": "center"}, children=[html.Strong(t("imp.legend", lang)),
                                                        row(dot("#2e7d32"), t("imp.status.taken", lang)),
                                                        row(dot("#ef6c00"), t("imp.status.repaired", lang))]),
        ]),
        html.Div(id=ids.ADMIN_IMP_REPORT, className="admin-table"),
        html.H3(t("imp.history", lang), className="panel-subtitle"),
        html.Div(id=ids.ADMIN_IMP_HISTORY, className="admin-table"),
    ])


def mapping_controls(lang: str, fields: list[tuple[str, str | None, bool]], columns: list[str], mapping: dict) -> list:
    """One dropdown per target column (label with its unit, "required" where it is), the file's columns to pick from."""
    options = [{"label": column, "value": column} for column in columns]
    controls = []
    for name, unit, required in fields:
        label = t(f"imp.field.{name}", lang) + (f" ({unit})" if unit else "") + (f" · {t('imp.required', lang)}" if required else "")
        control_id = {"type": ids.ADMIN_IMP_MAP_FIELD, "field": name}
        controls.append(html.Div([html.Label(label, className="form-label mb-0"),
                                  dropdown(lang, id=control_id, options=options, value=mapping.get(name),
                                           placeholder=t("imp.no_column", lang))], className="admin-field"))
    return controls
