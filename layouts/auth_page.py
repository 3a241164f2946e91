"""What a role sees in place of a page it may not open."""
from __future__ import annotations

from dash import html

from i18n import t
from layouts import ids


def forbidden(lang: str) -> html.Div:
    return html.Div(html.Div(t("auth.forbidden", lang), className="alert alert-warning", role="alert"),
                    id=ids.AUTH_FORBIDDEN, className="p-4")
