"""What a role sees in place of a page it may not open: what the page is for, which roles may use
it, and the way back."""
from __future__ import annotations

from dash import dcc, html

from i18n import t
from layouts import ids


def forbidden(lang: str, permission: str | None = None, roles: list[str] | None = None, role: str | None = None) -> html.Div:
    """The refusal of a page needing `permission`, open to `roles`; `role` is the refused user's."""
    body = [html.H1(t("refusal.title", lang)), html.P(t("auth.forbidden", lang))]
    if permission:
        body.append(html.P(t("refusal.purpose", lang).format(purpose=t(f"purpose.{permission}", lang))))
    if roles:
        body.append(html.P(t("refusal.roles", lang).format(roles=", ".join(t(f"role.{r}", lang) for r in roles))))
    if role:
        body.append(html.P(t("refusal.yours", lang).format(role=t(f"role.{role}", lang)) + " " + t("refusal.ask", lang)))
    body.append(dcc.Link(t("refusal.back", lang), href="/", className="btn btn-primary"))
    return html.Div(html.Div(body, className="alert alert-warning refusal", role="alert"), id=ids.AUTH_FORBIDDEN, className="p-4")
