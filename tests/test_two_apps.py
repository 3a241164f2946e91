"""Two apps in one process each serve their own store and settings, on every page and in every callback,
background jobs included (Dash keeps one page registry per process, and registers background callbacks
in every job manager of the process: see services.py). Both apps are built before either is asked."""
import base64
import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import select

from config import Settings
from i18n import t
from store.layers import write_features
from store.models import AdminArea, Complaint
from store.roads import import_roads
from tests.conftest import ROOT, build_app, login_client, wait_until
from tests.test_access import callback, open_page

NAMES = ("Nusaniwe Satu", "Sirimau Dua")
THUMBNAIL_S = {"Nusaniwe Satu": "3", "Sirimau Dua": "7"}
RESPONSE_DAYS = {"Nusaniwe Satu": "2", "Sirimau Dua": "4"}
MAP_PAGES = ["/", "/cakupan", "/banjir", "/pajak", "/pengaduan"]


def _seed(engine, name: str) -> None:
    """What tells the two stores apart: a kecamatan, a complaint and the credit of the roads, each named after the app."""
    write_features(engine, AdminArea, gpd.GeoDataFrame({"level": ["kecamatan"], "code": ["81.71.01"], "name": [name]},
                                                       geometry=[shapely.box(128.15, -3.72, 128.2, -3.68)], crs=4326))
    write_features(engine, Complaint, gpd.GeoDataFrame(
        {"id": [1], "ticket": ["T1"], "created_at": [pd.Timestamp("2026-11-20").to_pydatetime()], "channel": ["web"], "category": ["jalan"],
         "description": [f"Keluhan warga {name}"], "status": ["baru"], "agency": ["PUPR"]},
        geometry=[shapely.Point(128.18, -3.70)], crs=4326))
    import_roads(engine, gpd.GeoDataFrame({"name": ["Jalan Uji"], "highway": ["residential"]},
                                          geometry=[shapely.LineString([(128.17, -3.70), (128.18, -3.70)])], crs=4326), f"Peta Jalan {name}")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """Two apps, each on its own store (SQLite in its own instance folder) with its own settings, both built first."""
    built = {}
    for name in NAMES:
        instance = tmp_path_factory.mktemp(name.replace(" ", "-"))
        app = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
                                           "CAMERA_THUMBNAIL_S": THUMBNAIL_S[name], "COMPLAINT_RESPONSE_DAYS": RESPONSE_DAYS[name]}))
        _seed(app.server.extensions["ambon_auth"]["engine"], name)
        built[name] = app
    return built


@pytest.fixture(scope="module")
def admins(apps):
    return {name: login_client(app.server.test_client(), "admin") for name, app in apps.items()}


def _text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True).replace("\\u003c", "<").replace("\\u003e", ">")


def _own_only(texts: dict[str, str], marker) -> None:
    """Each app's answer names its own marker, none the other's."""
    for name, text in texts.items():
        other = next(n for n in NAMES if n != name)
        assert marker(name) in text and marker(other) not in text, (name, marker(name))


@pytest.fixture(params=["in order", "reversed"])
def order(request):
    return list(NAMES) if request.param == "in order" else list(reversed(NAMES))


def test_each_app_draws_its_pages_from_its_own_store(admins, order):
    for path in MAP_PAGES:  # the roads' credit is every map's attribution
        _own_only({name: _text(open_page(admins[name], path)) for name in order}, lambda name: f"Peta Jalan {name}")
    _own_only({name: _text(open_page(admins[name], "/")) for name in order}, lambda name: name)  # the kecamatan filter
    detail = {name: _text(callback(admins[name], [("_pages_content", "children"), ("_pages_store", "data")],
                                   [("_pages_location", "pathname", "/pengaduan/detail"), ("_pages_location", "search", "?id=1")]))
              for name in order}
    _own_only(detail, lambda name: f"Keluhan warga {name}")


def test_each_app_draws_its_pages_with_its_own_settings(admins, order):
    for path in ("/kamera", "/kamera/kesehatan"):
        _own_only({name: _text(open_page(admins[name], path)) for name in order}, lambda name: f"tiap {THUMBNAIL_S[name]} detik")
    _own_only({name: _text(open_page(admins[name], "/pengaduan/kinerja")) for name in order},
              lambda name: f"tanggapan pertama {RESPONSE_DAYS[name]} hari kerja")


DATA_SUMMARY = dict(outputs=[("admin-data-summary", "children"), ("admin-data-message", "children"), ("admin-data-upload", "contents")],
                    inputs=[("admin-data-upload", "contents", None)],
                    state=[("admin-data-upload", "filename", None), ("admin-data-kind", "value", "roads"), ("admin-data-source", "value", None),
                           ("lang-store", "data", "id")])
DESK = dict(outputs=[("cx-table", "children"), ("cx-page-info", "children"), ("cx-points", "data"), ("cx-counts", "children"),
                     ("cx-message", "children"), ("cx-page", "data")],
            inputs=[("cx-filter-states", "value", []), ("cx-filter-category", "value", []), ("cx-filter-agency", "value", []),
                    ("cx-filter-deadline", "value", None), ("cx-filter-text", "value", ""), ("cx-prev", "n_clicks", None),
                    ("cx-next", "n_clicks", None), ({"type": "cx-act", "id": "ALL", "action": "ALL"}, "n_clicks", []),
                    ("cx-import-report", "children", None)],
            state=[("cx-page", "data", 0), ("lang-store", "data", "id")])


def test_each_app_answers_its_callbacks_from_its_own_store(admins, order):
    _own_only({name: _text(callback(admins[name], **DATA_SUMMARY)) for name in order}, lambda name: f"Peta Jalan {name}")
    _own_only({name: _text(callback(admins[name], **DESK)) for name in order}, lambda name: f"Keluhan warga {name}")


SP4N = "Nomor Tracking;Tanggal;Judul;Isi Laporan;Kategori;Latitude;Longitude\nLAP-{n};2026-11-28;Lubang;Jalan berlubang {name};jalan;-3,70;128,18\n"


def _import_job(client, token: str, csv: str):
    """Start the SP4N import (a background callback: a job process) and poll it as the browser does; its answer."""
    contents = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
    request = dict(outputs=[("cx-import-report", "children")], inputs=[("cx-import-upload", "contents", contents)],
                   state=[("cx-import-upload", "filename", "lapor.csv"), ("cx-import-actor", "data", token), ("lang-store", "data", "id")],
                   changed=["cx-import-upload.contents"])
    handles = json.loads(_text(callback(client, **request)))

    def answer():
        response = callback(client, **request, query=f"?cacheKey={handles['cacheKey']}&job={handles['job']}")
        text = _text(response) if response.status_code != 204 else ""
        return text if '"response"' in text else None

    return wait_until(answer, timeout=60, interval=0.2, message="the import job's answer")


def test_each_app_runs_its_background_jobs_on_its_own_store(apps, admins, order):
    """The SP4N import runs in a job process: it checks the page's signed token with the secret of the app that
    served the page (each instance folder has its own) and writes to that app's store."""
    for n, name in enumerate(order):
        desk = json.loads(_text(open_page(admins[name], "/pengaduan")))
        token = _find(desk, "cx-import-actor")["data"]
        ticket = f"LAP-{order[0][:3]}{n}"
        answer = _import_job(admins[name], token, SP4N.format(n=ticket[4:], name=name))
        assert t("cx.refused.not_your_move", "id") not in answer
        for other in NAMES:
            with apps[other].server.extensions["ambon_auth"]["engine"].connect() as conn:
                stored = conn.scalar(select(Complaint.description).where(Complaint.ticket == ticket))
            assert stored == (f"Jalan berlubang {name}" if other == name else None), (name, other)


def _find(tree, component_id: str):
    """The props of the component `component_id` in a Dash JSON tree."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        return next((found for value in tree.values() if (found := _find(value, component_id)) is not None), None)
    if isinstance(tree, list):
        return next((found for value in tree if (found := _find(value, component_id)) is not None), None)
    return None


TASK_IN_WORKER = """
import flask
from celery import Celery
from background import tasks_run_in

worker_app = flask.Flask("the-worker-app")
celery = Celery("t", broker="memory://", backend="cache+memory://")
tasks_run_in(worker_app)

@celery.task
def whose():
    return flask.current_app.name

print(whose.apply().get(), flask.has_app_context())
"""


def test_a_celery_task_runs_in_the_app_context_of_the_workers_app():
    """As celery_worker.py sets it up (in a process of its own: task signals are global)."""
    done = subprocess.run([sys.executable, "-c", TASK_IN_WORKER], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["the-worker-app", "False"], done.stderr  # entered for the task, left after it
