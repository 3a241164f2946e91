"""What the store's import commands (python -m store.roads, python -m store.boundaries) share: the
file read and checked as every upload is, the app's database brought up to date, and a refusal
reported as one line on standard error."""
from __future__ import annotations

import sys
from typing import Callable, TypeVar

import geopandas as gpd
from sqlalchemy import Engine

Done = TypeVar("Done")


def import_file(path: str, what: str, do_import: Callable[[Engine, gpd.GeoDataFrame], Done],
                refusals: tuple[type[Exception], ...]) -> Done | None:
    """``do_import(engine, layer)`` on the layer in ``path`` and the database of DATABASE_URL (as the
    app reads it). None, after one line on stderr, when the file or ``do_import`` refuses."""
    from config import Settings
    from geo.recommend import InputError, read_layer
    from store.db import make_engine, upgrade_schema

    try:
        layer = read_layer(path, what)
        engine = make_engine(Settings.from_env().database_url)
        upgrade_schema(engine)
        return do_import(engine, layer)
    except (InputError, *refusals) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return None
