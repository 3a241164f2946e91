"""/api/export/<layer>.<format>: each layer for the roles that may see it, personal details and
stream URLs only for those allowed, an agency only its own complaints, every download audited."""
import io

import geopandas as gpd
import pytest

from auth import audit
from routes.auth import EXTENSION
from tests.conftest import build_app
from config import Settings
from tests.conftest import login_client


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0"}))


def client_as(app, role):
    return login_client(app.server.test_client(), role)


def test_each_layer_for_the_roles_that_may_see_it(app):
    viewer, bpbd, planner = client_as(app, "viewer"), client_as(app, "bpbd"), client_as(app, "planner")
    assert viewer.get("/api/export/tps.geojson").status_code == 200
    assert viewer.get("/api/export/cameras.csv").status_code == 403
    assert viewer.get("/api/export/gauges.csv").status_code == 403 and bpbd.get("/api/export/gauges.csv").status_code == 200
    assert planner.get("/api/export/obstacles.gpkg").status_code == 200 and viewer.get("/api/export/obstacles.gpkg").status_code == 403
    assert viewer.get("/api/export/tps.exe").status_code == 404 and viewer.get("/api/export/users.csv").status_code == 404
    assert app.server.test_client().get("/api/export/tps.csv").status_code == 401


def test_personal_details_stream_urls_and_agency_scope(app):
    complaints = gpd.read_file(io.BytesIO(client_as(app, "viewer").get("/api/export/complaints.gpkg").data))
    assert len(complaints) == 5000 and "reporter_name" not in complaints and "ticket" in complaints
    operator = client_as(app, "operator")
    assert "reporter_phone" in operator.get("/api/export/complaints.csv").get_data(as_text=True).splitlines()[0]
    assert "stream_url" not in operator.get("/api/export/cameras.csv").get_data(as_text=True).splitlines()[0]
    assert "demo://1" in client_as(app, "admin").get("/api/export/cameras.csv").get_data(as_text=True)
    agency = gpd.read_file(io.BytesIO(client_as(app, "agency").get("/api/export/complaints.geojson").data))
    assert len(agency) > 0 and set(agency["agency"]) == {"DLH"}
    events = audit.search(app.server.extensions[EXTENSION]["engine"], action="export.complaints")
    assert [e["username"] for e in events][:2] == ["agency", "operator"] and events[0]["detail"]["rows"] == len(agency)
