"""The frame around every page: header with the title, the pages the user may open, the alert
centre, the theme switch, who is logged in with a logout button, and the language switch."""
from __future__ import annotations

import dash
from dash import dcc, html

from i18n import LANGUAGES, t
from layouts import alert_centre, ids


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


def _theme_switch(lang: str, theme: str) -> list:
    """The button that flips the user's theme (stored for the user); its label names the other theme."""
    return [
        dcc.Store(id=ids.ROOM_THEME, data=theme),
        dcc.Store(id=ids.ROOM_THEME_CHOICE),
        dcc.Store(id=ids.ROOM_THEME_SAVED),
        html.Button(t("theme.to_gelap" if theme != "gelap" else "theme.to_terang", lang), id=ids.ROOM_THEME_TOGGLE, n_clicks=0,
                    className="btn btn-outline-light btn-sm theme-toggle",
                    **{"data-label-gelap": t("theme.to_terang", lang), "data-label-terang": t("theme.to_gelap", lang)}),
    ]


def shell(lang: str, account=None, csrf_token: str = "", preferences: dict | None = None, alert_poll_ms: int = 5000) -> html.Div:
    """`account` (an auth.policy.Account, None before login) decides the nav links, the user box and
    the alert centre; `preferences` (alerts.store.preferences) its theme and alert sound."""
    other = next(code for code in LANGUAGES if code != lang)
    preferences = preferences or {"theme": "terang", "alert_sound": False}
    return html.Div(
        className="app-shell",
        lang=lang,
        **{"data-theme": preferences["theme"]},
        children=[
            dcc.Store(id=ids.LANG_STORE, data=lang),
            html.Header(
                className="app-header",
                children=[
                    html.Div([html.Span(t("app.title", lang), className="app-title"), html.Span(t("app.subtitle", lang), className="app-subtitle")]),
                    html.Nav(_nav_links(lang, account) if account else [], className="app-nav"),
                    alert_centre.top_bar_part(lang, preferences["alert_sound"], alert_poll_ms) if account else None,
                    *(_theme_switch(lang, preferences["theme"]) if account else []),
                    _user_box(lang, account, csrf_token) if account else None,
                    html.A(t("lang.switch", lang), href=f"/bahasa/{other}", className="btn btn-outline-light btn-sm", id="language-switch"),
                ],
            ),
            alert_centre.banner_area() if account else None,
            html.Main(dash.page_container, className="app-main"),
        ],
    )
