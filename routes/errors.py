"""Bad input answered with a 4xx and its reason, never a 500: ids past what the database holds,
JSON nested deeper than the parser goes, and paths of Dash's component suites that name nothing.

`init_error_handlers(server)` must run before any route is registered: the `int` URL converter it
installs is bound to each rule as the rule is added.
"""
from __future__ import annotations

import flask
from dash.exceptions import DependencyException
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
"""The largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds."""


class DatabaseId(IntegerConverter):
    """`<int:…>` in URLs: 0 to MAX_ID; a larger number matches no route (404), where it would
    overflow the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _refuse(status: int, reason: str) -> flask.Response:
    response = flask.jsonify(error=reason)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def init_error_handlers(server: flask.Flask) -> None:
    server.url_map.converters["int"] = DatabaseId

    @server.errorhandler(RecursionError)
    def nested_too_deeply(_error):
        return _refuse(400, "the request is nested too deeply to be read")

    @server.errorhandler(DependencyException)
    def no_such_component_file(_error):
        return _refuse(404, "no such component file")

    @server.errorhandler(OSError)
    def component_file_unreadable(error):
        if flask.request.path.startswith("/_dash-component-suites/"):  # a name the package does not hold
            return _refuse(404, "no such component file")
        raise error
