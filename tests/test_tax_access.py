"""Taxpayer data is confidential: only the tax role and admins reach it, by any door (page, callback,
route, export), and every view of a business's figures is in the audit log. Direct calls through the
real app (Flask test client on create_app, SQLite, no demo: two taxpayers of its own)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from auth import audit
from auth.policy import ROLES
from tests.conftest import build_app
from config import Settings
from tax import monitor
from tax.store import import_returns
from tests.conftest import login_client
from tests.test_access import callback, open_page
from tests.test_tax_store import _taxpayers

MAY_SEE = {"admin", "tax"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}))
    engine = app.server.extensions["tax"]["engine"]
    _taxpayers(engine)
    import_returns(engine, [{"npwpd": "P1", "month": "2026-10", "turnover_idr": "90000000", "tax_paid_idr": "", "paid_on": ""}],
                   date(2026, 11, 30))
    monitor.refresh_cases(engine, date(2026, 10, 1), datetime(2026, 11, 30), 0.10, 15)
    return app


@pytest.fixture(scope="module")
def clients(app):
    return {role: login_client(app.server.test_client(), role) for role in ROLES}


DETAIL = dict(outputs=[("tax-detail", "children")], inputs=[("tax-business", "data", 1), ("tax-changed", "data", 0)],
              state=[("lang-store", "data", "id")])


@pytest.mark.parametrize("role", ROLES)
def test_only_tax_staff_and_admins_reach_taxpayer_data(clients, role):
    client, may = clients[role], role in MAY_SEE
    assert ("auth-forbidden" in open_page(client, "/pajak").get_data(as_text=True)) != may
    for url in ("/api/tax/layer.geojson", "/api/tax/cases.csv?month=2026-10", "/api/tax/cases.xlsx?month=2026-10"):
        assert (client.get(url).status_code == 403) != may, url
    assert (callback(client, **DETAIL).status_code == 403) != may
    assert b"amount" not in client.get("/api/businesses/1").data  # the old figures route is gone for everyone


def test_every_view_of_a_business_s_figures_is_audited(app, clients):
    engine = app.server.extensions["tax"]["engine"]
    response = callback(clients["tax"], **DETAIL)
    assert response.status_code == 200 and "RM 1" in response.get_data(as_text=True)
    export = clients["tax"].get("/api/tax/cases.csv?month=2026-10").get_data(as_text=True)
    assert "Jl. Pattimura" in export and "https://www.openstreetmap.org/?mlat=" in export and "belum dibayar" in export
    events = {(e["action"], e["target"]) for e in audit.search(engine, username="tax")}
    assert {("tax.view", "business:1"), ("export.tax_cases", "2026-10")} <= events


def test_a_device_key_opens_only_the_ingest_endpoint(app):
    client = app.server.test_client()
    assert client.get("/api/tax/layer.geojson", headers={"X-Device-Key": "k1"}).status_code == 401
    sale = {"device": "TB-1", "receipt": "z", "time": "2026-11-29T10:00:00+09:00", "amount": 5000}
    assert client.post("/api/tax/transactions", json=[sale], headers={"X-Device-Key": "k1"}).status_code == 200
