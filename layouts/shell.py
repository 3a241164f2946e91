"""The frame around every page: header with the title and the language switch."""
from __future__ import annotations

import dash
from dash import dcc, html

from i18n import LANGUAGES, t
from layouts import ids


def _nav_links(lang: str) -> list:
    """A link for every registered page that asks for one (`nav_key` in dash.register_page)."""
    return [dcc.Link(t(page["nav_key"], lang), href=page["path"], className="nav-link")
            for page in dash.page_registry.values() if page.get("nav_key")]


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
                    html.Nav(_nav_links(lang), className="app-nav"),
                    html.A(t("lang.switch", lang), href=f"/bahasa/{other}", className="btn btn-outline-light btn-sm", id="language-switch"),
                ],
            ),
            html.Main(dash.page_container, className="app-main"),
        ],
    )
