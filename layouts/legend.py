"""The map legend: one entry per layer, drawn with the same classes and colours as the map.

Its pieces (rows, swatches, the basemap and flood-hazard sections, the panel) serve every map page.
"""
from __future__ import annotations

from dash import html

from i18n import t
from layouts.styles import BUSINESS_COLOURS, CAMERA_STATUS_COLOURS, COMPLAINT_STATUS_COLOURS, DEADLINE_COLOURS, HAZARD_COLOURS, ROAD_STYLES
from store.vocabulary import CAMERA_KINDS, COMPLAINT_STATUSES, HAZARD_LEVELS


def row(swatch, label: str) -> html.Div:
    return html.Div([swatch, html.Span(label)], className="legend-row")


def dot(colour: str) -> html.Span:
    return html.Span(className="legend-dot", style={"background": colour})


def box(colour: str, border: str | None = None) -> html.Span:
    return html.Span(className="legend-box", style={"background": colour, "borderColor": border or colour})


def legend(lang: str) -> html.Div:
    sections = [
        (t("layer.cameras", lang), camera_rows(lang)),
        (t("legend.camera_status", lang), [row(html.Span(className=f"cam-icon cam-status-{status}"), t(f"camera.status.{status}", lang))
                                            for status in CAMERA_STATUS_COLOURS]
         + [row(box("#ffb300", "#ff6f00"), t("cam.live", lang)),
            row(html.Span("2", className="cam-icon cam-cluster cam-status-offline"), t("legend.camera_cluster", lang))]),
        (t("layer.complaints", lang), [row(dot(COMPLAINT_STATUS_COLOURS[s]), t(f"status.{s}", lang)) for s in COMPLAINT_STATUSES]
         + [row(html.Span("12", className="legend-cluster"), t("legend.cluster", lang))]),
        (t("cx.legend.title", lang), [row(dot(colour), t(f"cx.deadline.{state}", lang)) for state, colour in DEADLINE_COLOURS.items()]),
        (t("layer.tps", lang), [row(html.Span(className="tps-icon"), t("layer.tps", lang))]),
        (t("layer.businesses", lang), [row(dot(BUSINESS_COLOURS[c]), t(f"business.{c}", lang)) for c in BUSINESS_COLOURS]),
        (t("legend.hazard", lang), hazard_rows(lang)),
        (t("layer.kecamatan", lang), [row(html.Span(className="legend-line kecamatan"), t("layer.kecamatan", lang)),
                                      row(html.Span(className="legend-line desa"), t("layer.desa", lang)),
                                      *basemap_rows(lang)]),
    ]
    return legend_panel(lang, sections, "map-legend")


def camera_rows(lang: str) -> list:
    """Legend rows of the camera markers, one per camera kind."""
    return [row(html.Span(className=f"cam-icon cam-{kind}"), t(f"kind.{kind}", lang)) for kind in CAMERA_KINDS]


def hazard_rows(lang: str) -> list[html.Div]:
    """Flood-prone zones by hazard, and the rivers."""
    return ([row(box(HAZARD_COLOURS[h]), t(f"hazard.{h}", lang)) for h in HAZARD_LEVELS]
            + [row(html.Span(className="legend-line river"), t("layer.rivers", lang))])


def basemap_rows(lang: str) -> list[html.Div]:
    """The offline vector basemap: land over the sea, and the roads by group."""
    roads = [row(html.Span(className="legend-line", style={"borderTop": f"{width}px solid {colour}"}), t(f"road.{group}", lang))
             for group, (colour, width) in ROAD_STYLES.items()]
    return [*land_sea_rows(lang), *roads]


def land_sea_rows(lang: str) -> list[html.Div]:
    """Land and sea of the offline basemap: their swatches take the theme's colours (assets/theme.css)."""
    return [row(html.Span(className="legend-box legend-land"), t("legend.land", lang)),
            row(html.Span(className="legend-box legend-sea"), t("legend.sea", lang))]


FOLD_BELOW_PX = 1800
"""Screens narrower than this (px) start with a map's legend folded when it asks to (assets/room.js)."""


def legend_panel(lang: str, sections: list[tuple[str, list]], element_id: str, fold: bool = False) -> html.Details:
    """The legend box over a map: a title that folds the whole legend away (it covers the map), and
    one open, foldable section per (title, rows). `fold`: start folded on screens narrower than
    FOLD_BELOW_PX, as the city map's legend does (the user's own choice is remembered either way)."""
    return html.Details(
        [html.Summary(t("legend.title", lang), className="legend-title")]
        + [html.Details([html.Summary(title), *rows], open=True, className="legend-section") for title, rows in sections],
        open=True,
        className="map-legend",
        id=element_id,
        **({"data-fold-below": str(FOLD_BELOW_PX)} if fold else {}),
    )

