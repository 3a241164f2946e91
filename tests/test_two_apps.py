"""Two apps in one process each draw their pages from their own store (Dash keeps one page registry
per process; see pages.py)."""
import json

import geopandas as gpd
import shapely

from tests.conftest import build_app
from config import Settings
from store.layers import write_features
from store.models import AdminArea
from tests.conftest import login_client


def _app_with_kecamatan(tmp_path, name: str):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path / name), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}))
    area = gpd.GeoDataFrame({"level": ["kecamatan"], "code": ["81.71.01"], "name": [name]},
                            geometry=[shapely.box(128.15, -3.72, 128.2, -3.68)], crs=4326)
    write_features(app.server.extensions["ambon_auth"]["engine"], AdminArea, area)
    return app


def _map_page(app) -> str:
    client = login_client(app.server.test_client(), "operator")
    body = {"output": "..{_pages_content.children}...{_pages_store.data}..".replace("{", "").replace("}", ""),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                       {"id": "_pages_location", "property": "search", "value": ""}], "state": [], "changedPropIds": []}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_app_draws_its_pages_from_its_own_store(tmp_path):
    first = _app_with_kecamatan(tmp_path, "Nusaniwe Satu")
    second = _app_with_kecamatan(tmp_path, "Sirimau Dua")  # registers every page again, in the same registry
    assert "Nusaniwe Satu" in _map_page(first) and "Sirimau Dua" not in _map_page(first)
    assert "Sirimau Dua" in _map_page(second) and "Nusaniwe Satu" not in _map_page(second)
