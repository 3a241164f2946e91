"""What a role sees in place of a page it may not open: what the page is for, which roles may use
it, and the way back."""
from __future__ import annotations

from dash import html

from i18n import t
from layouts import ids


def forbidden(lang: str, way_back: tuple[str, str], permission: str | None = None, roles: list[str] | None = None,
              role: str | None = None) -> html.Div:
    """The refusal of a page needing `permission`, open to `roles`; `role` is the refused user's,
    `way_back` (path, words) the page it starts on."""
    body = [html.H1(t("refusal.title", lang)), html.P(t("auth.forbidden", lang))]
    if permission:
        body.append(html.P(t("refusal.purpose", lang).format(purpose=t(f"purpose.{permission}", lang))))
    if roles:
        body.append(html.P(t("refusal.roles", lang).format(roles=", ".join(t(f"role.{r}", lang) for r in roles))))
    if role:
        body.append(html.P(t("refusal.yours", lang).format(role=t(f"role.{role}", lang)) + " " + t("refusal.ask", lang)))
    body.append(html.A(way_back[1], href=way_back[0], className="btn btn-primary"))  # a full load: the board is no Dash page
    return html.Div(html.Div(body, className="alert alert-warning refusal", role="alert"), id=ids.AUTH_FORBIDDEN, className="p-4")
