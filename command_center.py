"""Builds the Dash app: store, cache, routes, pages and callbacks, from Settings."""
from __future__ import annotations

from urllib.parse import urlsplit

import dash
import flask
from flask_caching import Cache

from callbacks import map_view
from config import ROOT, Settings
from demo.seed import seed_if_empty
from i18n import LANGUAGE_COOKIE, normalise_language, t
from layouts.map_page import map_page
from layouts.shell import shell
from routes.flood import init_flood_routes
from routes.layers import init_layer_routes
from store import layers
from store.db import create_schema, make_engine
from store.filters import complaint_filter_query
from store.layers import ComplaintFilter

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


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    if settings.demo_data:
        seed_if_empty(engine)

    app = dash.Dash(
        __name__,
        assets_folder=str(ROOT / "assets"),
        use_pages=True,
        pages_folder="",
        title=t("app.title", "id"),
        update_title=None,
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    app.server.secret_key = settings.secret_key
    app.server.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # no request body may exhaust memory
    cache = Cache(app.server, config=settings.cache_config())
    init_layer_routes(app.server, engine, cache)
    init_flood_routes(app.server, engine)
    init_language_route(app.server)

    kecamatan_names = dict(layers.read_admin_areas(engine, "kecamatan")[["code", "name"]].itertuples(index=False))
    date_range = layers.complaint_date_range(engine)

    def city_map_page(**_query):
        return map_page(request_language(), settings.tile_url, settings.tile_attribution, kecamatan_names, date_range,
                        "/api/layers/complaints.geojson?" + complaint_filter_query(ComplaintFilter()))

    dash.register_page("peta", path="/", name=t("nav.map", "id"), layout=city_map_page)
    app.layout = lambda: shell(request_language())
    map_view.register(app, engine)
    return app
