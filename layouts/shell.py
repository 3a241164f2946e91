"""The frame around every page: header with the title and the language switch."""
from __future__ import annotations

import dash
from dash import dcc, html

from i18n import LANGUAGES, t
from layouts import ids


def shell(lang: str) -> html.Div:
    other = next(code for code in LANGUAGES if code != lang)
    return html.Div(
        className="app-shell",
        lang=lang,
        children=[
            dcc.Store(id=ids.LANG_STORE, data=lang),
            html.Header(
                className="app-header",
                children=[
                    html.Div([html.Span(t("app.title", lang), className="app-title"), html.Span(t("app.subtitle", lang), className="app-subtitle")]),
                    html.Nav([dcc.Link(t("nav.map", lang), href="/", className="nav-link")], className="app-nav"),
                    html.A(t("lang.switch", lang), href=f"/bahasa/{other}", className="btn btn-outline-light btn-sm", id="language-switch"),
                ],
            ),
            html.Main(dash.page_container, className="app-main"),
        ],
    )
