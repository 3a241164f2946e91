"""The user's language: read from the `bahasa` cookie, chosen through /bahasa/<code>."""
from __future__ import annotations

from urllib.parse import urlsplit

import flask

from i18n import LANGUAGE_COOKIE, normalise_language


def request_language() -> str:
    """The language the user chose (cookie), Indonesian by default."""
    return normalise_language(flask.request.cookies.get(LANGUAGE_COOKIE))


def init_language_route(server: flask.Flask) -> None:
    @server.get("/bahasa/<code>")
    def switch_language(code: str):
        # back to the page the user was on, never to another site
        back = urlsplit(flask.request.referrer or "/")
        target = back.path if back.path.startswith("/") and not back.path.startswith("//") else "/"
        response = flask.redirect(target)
        response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 86400, samesite="Lax", httponly=True)
        return response
