"""What every part of the web app is built from: settings, the data store, the cache and the
camera readers. `command_center.create_app` makes one and hands it to each page's `register`."""
from __future__ import annotations

from dataclasses import dataclass

from flask_caching import Cache
from sqlalchemy import Engine

from alerts import AlertCentre
from cameras import CameraManager
from cameras.board import CameraBoard
from config import Settings
from layouts.map_page import Basemap
from store.roads import road_sources


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
