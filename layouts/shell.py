"""The frame around every page: header with the title, the pages the user may open, who is logged
in with a logout button, and the language switch."""
from __future__ import annotations

import dash
from dash import dcc, html

from i18n import LANGUAGES, t
from layouts import ids


def _nav_links(lang: str, account) -> list:
    """A link for every registered page that asks for one (`nav_key`) and that the account may open."""
    links = [dcc.Link(t(page["nav_key"], lang), href=page["path"], className="nav-link")
             for page in dash.page_registry.values() if page.get("nav_key") and account.can(page.get("permission"))]
    # pages served by Flask, not Dash: a plain link loads them
    links += [html.A(t(key, lang), href=href, className="nav-link") for href, key, permission in FLASK_PAGES if account.can(permission)]
    return links


FLASK_PAGES = (("/pemantauan", "mon.title", "monitor"), ("/publik", "pub.nav.portal", "map"), ("/kinerja-cc", "lead.title", "leaders"))
"""(path, text key, permission) of the staff's Flask pages linked from the navigation bar."""


def _user_box(lang: str, account, csrf_token: str) -> html.Div:
    return html.Div(
        className="app-user",
        children=[
            html.Span([t("auth.signed_in_as", lang), " ", html.Strong(account.username), " · ", t(f"role.{account.role}", lang)],
                      id=ids.AUTH_USER, className="app-user-name"),
            html.Form(method="POST", action="/keluar", className="d-inline", children=[
                dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
                html.Button(t("auth.logout", lang), id=ids.AUTH_LOGOUT, type="submit", className="btn btn-outline-light btn-sm"),
            ]),
        ],
    )


def shell(lang: str, account=None, csrf_token: str = "") -> html.Div:
    """`account` (an auth.policy.Account, None before login) decides the nav links and the user box."""
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
                    html.Nav(_nav_links(lang, account) if account else [], className="app-nav"),
                    _user_box(lang, account, csrf_token) if account else None,
                    html.A(t("lang.switch", lang), href=f"/bahasa/{other}", className="btn btn-outline-light btn-sm", id="language-switch"),
                ],
            ),
            html.Main(dash.page_container, className="app-main"),
        ],
    )
