"""The coverage analysis' geometry cache: keys that change with every input, entries on disk."""
import geopandas as gpd
import numpy as np
import shapely

from planning.geometry_cache import GeometryCache, fingerprint


def layer(**changes) -> gpd.GeoDataFrame:
    rows = {"name": ["Pos A", None], "props": [[1, 2], {"lantai": 2}], "weight": [1.0, np.nan]}
    geometry = [shapely.Point(128.18, -3.69), None]  # an uploaded layer: a row without geometry, nested properties
    rows.update({k: v for k, v in changes.items() if k != "geometry"})
    return gpd.GeoDataFrame(rows, geometry=changes.get("geometry", geometry), crs=4326)


def test_the_key_changes_with_every_input_and_only_then():
    key = fingerprint(layer(), 100.0, frozenset({"tps", "flood"}), None)
    assert key == fingerprint(layer(), 100.0, frozenset({"flood", "tps"}), None)
    assert len({key, fingerprint(layer(name=["Pos B", None]), 100.0, frozenset({"tps", "flood"}), None),
                fingerprint(layer(props=[[1, 3], {"lantai": 2}]), 100.0, frozenset({"tps", "flood"}), None),
                fingerprint(layer(geometry=[shapely.Point(128.18, -3.70), None]), 100.0, frozenset({"tps", "flood"}), None),
                fingerprint(layer().to_crs(32752), 100.0, frozenset({"tps", "flood"}), None),
                fingerprint(layer(), 150.0, frozenset({"tps", "flood"}), None),
                fingerprint(layer(), 100.0, frozenset({"tps"}), None),
                fingerprint(layer(), 100.0, frozenset({"tps", "flood"}), layer())}) == 8


def test_entries_are_kept_on_disk_unless_the_size_is_zero(tmp_path):
    GeometryCache(tmp_path / "kept", 1).put("a", {"matrix": np.arange(3)})
    assert GeometryCache(tmp_path / "kept", 1).get("a")["matrix"].tolist() == [0, 1, 2]  # another process' view
    assert GeometryCache(tmp_path / "kept", 1).get("b") is None
    GeometryCache(tmp_path / "none", 0).put("a", 1)
    assert GeometryCache(tmp_path / "none", 0).get("a") is None and not (tmp_path / "none").exists()
