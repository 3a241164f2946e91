"""Notices about the app's own state that an admin must act on (no data access here)."""
from __future__ import annotations

from dash import html

from i18n import t
from i18n.format import wit_time


def shared_cache_notice(lang: str, status: dict) -> html.Div | None:
    """While Redis cannot be reached (`status` of store.cache.FallbackCache.status), what that means;
    None while it answers or when no Redis is configured."""
    if status.get("shared") is not False:
        return None
    return html.Div([html.Strong(t("security.cache_down", lang).format(since=wit_time(status.get("since")))), " ",
                     t("security.cache_down_means", lang)], className="alert alert-warning", role="alert",
                    title=status.get("error") or "")
