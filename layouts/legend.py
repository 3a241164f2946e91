"""The map legend: one entry per layer, drawn with the same classes and colours as the map."""
from __future__ import annotations

from dash import html

from i18n import t
from layouts.styles import BUSINESS_COLOURS, CAMERA_STATUS_COLOURS, COMPLAINT_STATUS_COLOURS, HAZARD_COLOURS
from store.vocabulary import CAMERA_KINDS, COMPLAINT_STATUSES, HAZARD_LEVELS


def _row(swatch, label: str) -> html.Div:
    return html.Div([swatch, html.Span(label)], className="legend-row")


def _dot(colour: str) -> html.Span:
    return html.Span(className="legend-dot", style={"background": colour})


def _box(colour: str, border: str | None = None) -> html.Span:
    return html.Span(className="legend-box", style={"background": colour, "borderColor": border or colour})


def legend(lang: str) -> html.Div:
    sections = [
        (t("layer.cameras", lang), [_row(html.Span(className=f"cam-icon cam-{kind}"), t(f"kind.{kind}", lang)) for kind in CAMERA_KINDS]),
        (t("legend.camera_status", lang), [_row(html.Span(className=f"cam-icon cam-status-{status}"), t(f"camera.status.{status}", lang))
                                            for status in CAMERA_STATUS_COLOURS]
         + [_row(_box("#ffb300", "#ff6f00"), t("cam.live", lang))]),
        (t("layer.complaints", lang), [_row(_dot(COMPLAINT_STATUS_COLOURS[s]), t(f"status.{s}", lang)) for s in COMPLAINT_STATUSES]
         + [_row(html.Span("12", className="legend-cluster"), t("legend.cluster", lang))]),
        (t("layer.tps", lang), [_row(html.Span(className="tps-icon"), t("layer.tps", lang))]),
        (t("layer.businesses", lang), [_row(_dot(BUSINESS_COLOURS[c]), t(f"business.{c}", lang)) for c in BUSINESS_COLOURS]
         + [_row(html.Span(className="legend-dot tax-flag"), t("legend.tax_flag", lang))]),
        (t("legend.hazard", lang), [_row(_box(HAZARD_COLOURS[h]), t(f"hazard.{h}", lang)) for h in HAZARD_LEVELS]
         + [_row(html.Span(className="legend-line river"), t("layer.rivers", lang))]),
        (t("layer.kecamatan", lang), [_row(html.Span(className="legend-line kecamatan"), t("layer.kecamatan", lang)),
                                      _row(html.Span(className="legend-line desa"), t("layer.desa", lang)),
                                      _row(_box("#f4f1e8", "#c9c2ad"), t("legend.land", lang)),
                                      _row(_box("#cfe3ef"), t("legend.sea", lang))]),
    ]
    return html.Div(
        [html.Div(t("legend.title", lang), className="legend-title")]
        + [html.Details([html.Summary(title), *rows], open=True, className="legend-section") for title, rows in sections],
        className="map-legend",
        id="map-legend",
    )
