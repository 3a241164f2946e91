"""Each app serves its own pages, though Dash keeps one page registry per process.

`dash.register_page` writes to the module-level `dash.page_registry`, so building a second app in
the same process (tests, a CLI that builds one next to a running server) re-registered every page
with layouts that close over the second app's services: the first app then drew its pages from the
second app's database. :func:`bind_page_layouts` keeps the layouts an app registered on its own
Flask server and leaves in the shared registry only a dispatcher, which calls, on each request,
the layout of the app serving it (`flask.current_app`).
"""
from __future__ import annotations

import dash
import flask

EXTENSION = "ambon_page_layouts"


def _dispatch(module: str):
    def layout(**query):
        own = flask.current_app.extensions[EXTENSION].get(module)
        return own(**query) if callable(own) else own

    layout.dispatches = module
    return layout


def bind_page_layouts(server: flask.Flask) -> None:
    """Keep the layouts just registered (by this app's `register` functions) as `server`'s own,
    and point the shared registry at dispatchers. Call once, after the app registered its pages."""
    own = server.extensions.setdefault(EXTENSION, {})
    for module, page in dash.page_registry.items():
        layout = page["layout"]
        if getattr(layout, "dispatches", None) is None:  # registered by this app, not a dispatcher left by another
            own[module] = layout
            page["layout"] = _dispatch(module)
