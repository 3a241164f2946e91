"""What every part of the web app is built from: settings, the data store, the cache and the
camera readers. `command_center.create_app` makes one per app and keeps it on the app's Flask server;
page layouts and callbacks find it at request time with :func:`current_services`.

Dash keeps one page registry per process, and registers background callbacks in every job manager of
the process under a key made of their source: a layout or callback that closed over the `Services` of
the app that registered it would serve another app's store once a second app was built in the same
process. Looked up on `flask.current_app`, each request is answered from the store of the app serving
it (background jobs run in the app context of the app that runs them, see background.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import flask
from flask_caching import Cache
from sqlalchemy import Engine

from alerts import AlertCentre
from cameras import CameraManager
from cameras.board import CameraBoard
from config import Settings
from layouts.map_page import Basemap
from store.roads import road_sources

EXTENSION = "ambon_services"
DEFAULT_THUMBNAIL_PERIOD_S = 5.0


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    cache: Cache
    cameras: CameraManager | None
    """The camera readers owned by this process; None in a web-only worker (CAMERA_READERS=0)."""
    camera_board: CameraBoard
    """What the readers published (thumbnails, health), readable from any worker."""
    alert_centre: AlertCentre | None = None
    """The sources of the top bar's alerts (alerts/)."""

    def basemap(self) -> Basemap:
        """The tiles of the settings and the credit of the roads stored now (an import changes it)."""
        return Basemap(self.settings.tile_url, self.settings.tile_attribution, "; ".join(road_sources(self.engine)))

    def thumbnail_period_s(self) -> float:
        """Seconds between two thumbnails of a camera, as the camera pages refresh them."""
        return self.settings.camera_thumbnail_s or DEFAULT_THUMBNAIL_PERIOD_S


def init_services(server: flask.Flask, services: Services) -> Services:
    """Make `services` the ones of `server`'s requests (and of the jobs run in its app context)."""
    server.extensions[EXTENSION] = services
    return services


def current_services() -> Services:
    """The services of the app handling this request (or running this background job)."""
    return flask.current_app.extensions[EXTENSION]
