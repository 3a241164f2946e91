"""Flask-Limiter with its checks run only on the blueprints that have limits.

A Flask-Limiter hooks every request of the app (a check before the view, headers and deductions after
it, a reset at teardown), and the app has three (logins, the public portal, public reports): about
0.5 ms of CPU on every request (measured), most of them map callbacks and thumbnails that no limit
applies to. `blueprint_limiter` moves a new limiter's hooks onto the blueprints its limits are on.
"""
from __future__ import annotations

from typing import Any, Iterable

import flask
from flask_limiter import Limiter


def blueprint_limiter(server: flask.Flask, blueprints: Iterable[str], **options: Any) -> Limiter:
    """A Limiter on `server` (options as for Limiter, without app) that checks, counts and resets
    only for requests of the blueprints named `blueprints`: put limits on their views or on them."""
    registries = (server.before_request_funcs, server.after_request_funcs, server.teardown_request_funcs)
    had = [list(registry.get(None, ())) for registry in registries]
    limiter = Limiter(app=server, **options)
    names = list(blueprints)
    for registry, before in zip(registries, had):
        added = [hook for hook in registry.get(None, ()) if hook not in before]
        registry[None] = [hook for hook in registry.get(None, ()) if hook not in added]
        for name in names:
            registry.setdefault(name, []).extend(added)
    return limiter
