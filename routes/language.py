"""The user's language: read from the `bahasa` cookie, chosen through /bahasa/<code>."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import flask

from i18n import LANGUAGE_COOKIE, normalise_language


def request_language() -> str:
    """The language the user chose (cookie), Indonesian by default."""
    return normalise_language(flask.request.cookies.get(LANGUAGE_COOKIE))


def same_site_target(url: str | None) -> str:
    """The path and query of `url` if it stays on this site, else "/".

    Only the path and query are kept (never a scheme or host), so a hostile Referer or `next`
    cannot send the user to another site; a path starting with "//" or a backslash would be read
    by browsers as another host and is refused too.
    """
    parts = urlsplit(url or "/")
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return urlunsplit(("", "", path, parts.query, ""))


def init_language_route(server: flask.Flask) -> None:
    @server.get("/bahasa/<code>")
    def switch_language(code: str):
        # back to the page the user was on (path and query, e.g. /pengaduan/detail?id=766),
        # never to another site
        target = same_site_target(flask.request.args.get("next") or flask.request.referrer)
        response = flask.redirect(target)
        response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 86400, samesite="Lax", httponly=True)
        return response
