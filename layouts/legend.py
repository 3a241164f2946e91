"""The map legend: one entry per layer, drawn with the same classes and colours as the map.

Its pieces (rows, swatches, the basemap and flood-hazard sections, the panel) serve every map page.
"""
from __future__ import annotations

from dash import html

from i18n import t
from layouts.styles import COMPLAINT_STATUS_COLOURS, HAZARD_COLOURS, BUSINESS_COLOURS
from store.vocabulary import CAMERA_KINDS, COMPLAINT_STATUSES, HAZARD_LEVELS


def legend_row(swatch, label: str) -> html.Div:
    return html.Div([swatch, html.Span(label)], className="legend-row")


def legend_dot(colour: str) -> html.Span:
    return html.Span(className="legend-dot", style={"background": colour})


def legend_box(colour: str, border: str | None = None) -> html.Span:
    return html.Span(className="legend-box", style={"background": colour, "borderColor": border or colour})


def hazard_rows(lang: str) -> list[html.Div]:
    """Flood-prone zones by hazard, and the rivers."""
    return ([legend_row(legend_box(HAZARD_COLOURS[h]), t(f"hazard.{h}", lang)) for h in HAZARD_LEVELS]
            + [legend_row(html.Span(className="legend-line river"), t("layer.rivers", lang))])


def basemap_rows(lang: str) -> list[html.Div]:
    """The offline vector basemap: land over the sea."""
    return [legend_row(legend_box("#f4f1e8", "#c9c2ad"), t("legend.land", lang)), legend_row(legend_box("#cfe3ef"), t("legend.sea", lang))]


def legend_panel(lang: str, sections: list[tuple[str, list]], element_id: str) -> html.Div:
    """The legend box over a map: a title, then one open, foldable section per (title, rows)."""
    return html.Div(
        [html.Div(t("legend.title", lang), className="legend-title")]
        + [html.Details([html.Summary(title), *rows], open=True, className="legend-section") for title, rows in sections],
        className="map-legend",
        id=element_id,
    )


def legend(lang: str) -> html.Div:
    sections = [
        (t("layer.cameras", lang), [legend_row(html.Span(className=f"cam-icon cam-{kind}"), t(f"kind.{kind}", lang)) for kind in CAMERA_KINDS]),
        (t("layer.complaints", lang), [legend_row(legend_dot(COMPLAINT_STATUS_COLOURS[s]), t(f"status.{s}", lang)) for s in COMPLAINT_STATUSES]
         + [legend_row(html.Span("12", className="legend-cluster"), t("legend.cluster", lang))]),
        (t("layer.tps", lang), [legend_row(html.Span(className="tps-icon"), t("layer.tps", lang))]),
        (t("layer.businesses", lang), [legend_row(legend_dot(BUSINESS_COLOURS[c]), t(f"business.{c}", lang)) for c in BUSINESS_COLOURS]),
        (t("legend.hazard", lang), hazard_rows(lang)),
        (t("layer.kecamatan", lang), [legend_row(html.Span(className="legend-line kecamatan"), t("layer.kecamatan", lang)),
                                      legend_row(html.Span(className="legend-line desa"), t("layer.desa", lang)),
                                      *basemap_rows(lang)]),
    ]
    return legend_panel(lang, sections, "map-legend")
