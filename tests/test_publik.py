"""The public portal without login and the monitor's staff pages, through the real app (Flask test
client on create_app with the demo store)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from tests.conftest import build_app
from config import Settings
from monitor.models import Incident, IncidentNote, Maintenance, MonitoredService
from store.models import Complaint
from tests.conftest import csrf_token_of, login_client

PAGES = ("/publik", "/publik/layanan", "/publik/status", "/publik/banjir", "/publik/peta-laporan", "/publik/kenali")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("publik")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0",
                                         "SERVICE_MONITOR": "0", "PUBLIC_URL": "https://cc.ambon.go.id"}))


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["publik"]["engine"]


@pytest.fixture(scope="module")
def seeded(app, engine):
    """The city's services (the monitor is off here: seeded by hand), one of them down with a note."""
    from monitor.demo import seed_services

    seed_services(engine)
    with engine.begin() as conn:
        conn.execute(MonitoredService.__table__.update().values(created_at=datetime.utcnow() - timedelta(minutes=10)))
        lpse = conn.scalar(select(MonitoredService.id).where(MonitoredService.name == "LPSE Kota Ambon"))
        incident = conn.execute(Incident.__table__.insert().values(service_id=lpse, started_at=datetime.utcnow() - timedelta(minutes=30),
                                                                   reason="timeout")).inserted_primary_key[0]
        conn.execute(IncidentNote.__table__.insert().values(incident_id=incident, written_at=datetime.utcnow(), author="operator",
                                                            text="Server LPSE sedang dipulihkan", public=True))
        conn.execute(IncidentNote.__table__.insert().values(incident_id=incident, written_at=datetime.utcnow(), author="operator",
                                                            text="catatan internal rahasia", public=False))
    return lpse


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_need_no_login_and_carry_no_script(app, seeded, path):
    response = app.server.test_client().get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html and "<script" not in html
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert len(response.data) < 150_000


def test_status_board_shows_public_services_incidents_and_public_notes_only(app, seeded):
    html = app.server.test_client().get("/publik/status").get_data(as_text=True)
    assert "LPSE Kota Ambon" in html and "Tidak dapat diakses" in html
    assert "Server LPSE sedang dipulihkan" in html
    assert "rahasia" not in html and "SIMAK" not in html  # internal notes and services stay inside
    assert html.count("<rect") >= 90 and "24 jam" in html
    # the services were added just now: uptime over the minutes watched, days before them have no data
    assert "(dipantau " in html and "belum ada data" in html, re.findall(r"<td>.*?</td>", html)[:8]
    assert not re.search(r"<td>\d+,\d %</td>", html)  # no bare percentage for a 90-day window watched for minutes


def test_english_on_request(app, seeded):
    client = app.server.test_client()
    html = client.get("/publik/status?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Not reachable" in html
    client.set_cookie("bahasa", "en")
    assert "Service status" in client.get("/publik").get_data(as_text=True)


def test_reports_map_has_counts_but_no_personal_data(app, engine):
    html = app.server.test_client().get("/publik/peta-laporan").get_data(as_text=True)
    with engine.connect() as conn:
        rows = conn.execute(select(Complaint.reporter_name, Complaint.description, Complaint.ticket).limit(50)).all()
    assert rows
    for name, description, ticket in rows:
        assert (name or "¤") not in html and description not in html and ticket not in html
    assert "<path" in html and "Jumlah laporan per desa" in html  # a map with its legend


def test_flood_page_feed_and_cap(app, engine):
    client = app.server.test_client()
    html = client.get("/publik/banjir").get_data(as_text=True)
    assert "Wai Batu Merah" in html and "/publik/banjir.atom" in html
    assert "Belum ada data" in html or "Tinggi air" in html  # a river without a reading is not called safe
    feed = client.get("/publik/banjir.atom")
    assert feed.mimetype == "application/atom+xml"
    root = etree.fromstring(feed.data)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("{http://www.w3.org/2005/Atom}link").get("href") == "https://cc.ambon.go.id/publik/banjir.atom"
    assert client.get("/publik/banjir/cap/999999.xml").status_code == 404


def test_home_does_not_call_the_rivers_safe_while_no_gauge_has_a_reading(app, engine):
    from portal.rivers import river_levels

    assert river_levels(engine) and all(r["level_cm"] is None for r in river_levels(engine))  # the demo store has no readings
    html = app.server.test_client().get("/publik").get_data(as_text=True)
    flood = html[html.index('id="h-flood"'):html.index("</section>", html.index('id="h-flood"'))]
    assert "Tidak ada peringatan banjir" not in flood
    assert "belum diketahui" in flood and flood.count('href="/publik/banjir"') == 2  # the heading and "see the river levels"


def test_poster_is_an_a4_pdf_whose_qr_codes_read_back(app):
    import cv2
    import numpy as np
    import pypdfium2

    response = app.server.test_client().get("/publik/poster.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    page = pypdfium2.PdfDocument(response.data)[0]
    assert [round(v) for v in page.get_size()] == [595, 842]  # A4 in points
    image = np.array(page.render(scale=2).to_pil().convert("L"))
    half = image.shape[1] // 2
    read = [cv2.QRCodeDetector().detectAndDecode(np.ascontiguousarray(part))[0] for part in (image[:, :half], image[:, half:])]
    assert read == ["https://cc.ambon.go.id/publik", "https://cc.ambon.go.id/publik/lapor"]


def test_public_pages_are_rate_limited(tmp_path):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
                                        "SERVICE_MONITOR": "0", "PUBLIC_RATE_LIMIT": "3 per minute"}))
    client = app.server.test_client()
    assert [client.get("/publik/kenali").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Terlalu banyak" in client.get("/publik").get_data(as_text=True)


def test_staff_pages_need_their_roles(app, seeded):
    assert app.server.test_client().get("/pemantauan").status_code == 302
    operator = login_client(app.server.test_client(), "operator")
    page = operator.get("/pemantauan").get_data(as_text=True)
    assert "monitor-banner" in page and "LPSE Kota Ambon" in page and "rahasia" in page
    assert operator.get("/pemantauan/admin/layanan").status_code == 403
    assert login_client(app.server.test_client(), "viewer").get("/pemantauan").status_code == 403


def test_operator_adds_a_note_and_plans_maintenance(app, engine, seeded):
    client = login_client(app.server.test_client(), "operator")
    token = csrf_token_of(client.get("/pemantauan").get_data(as_text=True))
    with engine.connect() as conn:
        incident = conn.scalar(select(Incident.id).where(Incident.service_id == seeded))
    assert client.post("/pemantauan/catatan", data={"incident_id": incident, "text": "Teknisi menuju lokasi", "public": "1"}).status_code == 400
    answer = client.post("/pemantauan/catatan", data={"incident_id": incident, "text": "Teknisi menuju lokasi", "public": "1",
                                                      "csrf_token": token})
    assert answer.status_code == 302
    app.server.extensions["publik"]["cache"].clear()  # the portal reuses what it read for 15 s
    assert "Teknisi menuju lokasi" in app.server.test_client().get("/publik/status").get_data(as_text=True)
    bad = client.post("/pemantauan/pemeliharaan", data={"service_id": seeded, "starts_at": "2026-12-05 22:00", "ends_at": "2026-12-05 21:00",
                                                        "csrf_token": token}, follow_redirects=True)
    assert "Waktu selesai harus setelah mulai" in bad.get_data(as_text=True)
    client.post("/pemantauan/pemeliharaan", data={"service_id": seeded, "starts_at": "2026-12-05T22:00", "ends_at": "2026-12-06T01:00",
                                                  "note": "Pembaruan server", "csrf_token": token})
    with engine.connect() as conn:
        window = conn.execute(select(Maintenance).where(Maintenance.note == "Pembaruan server")).one()
    assert (window.starts_at, window.ends_at) == (datetime(2026, 12, 5, 13, 0), datetime(2026, 12, 5, 16, 0))  # WIT typed, UTC kept


def test_admin_adds_a_service_and_a_local_file_is_refused(app, engine):
    client = login_client(app.server.test_client(), "admin")
    token = csrf_token_of(client.get("/pemantauan/admin/layanan").get_data(as_text=True))
    refused = client.post("/pemantauan/admin/layanan", data={"name": "Berkas", "kind": "http", "target": "file:///etc/passwd",
                                                             "csrf_token": token}, follow_redirects=True)
    assert "Alamat harus diawali http:// atau https://" in refused.get_data(as_text=True)
    client.post("/pemantauan/admin/layanan", data={"name": "Dukcapil", "kind": "tcp", "target": "10.20.0.5:443", "interval_s": "30",
                                                   "timeout_s": "5", "failures_before_down": "2", "public": "1", "csrf_token": token})
    with engine.connect() as conn:
        row = conn.execute(select(MonitoredService).where(MonitoredService.name == "Dukcapil")).one()
    assert (row.kind, row.target, row.interval_s, row.public) == ("tcp", "10.20.0.5:443", 30, True)


def test_open_incidents_are_alert_records_for_the_alert_centre(engine, seeded):
    from monitor import incident_alerts

    (alert,) = [a for a in incident_alerts(engine) if a["key"] == f"service:{seeded}"]
    assert (alert["kind"], alert["severity"], alert["params"]) == ("service_down", "critical", {"service": "LPSE Kota Ambon"})
    assert alert["link"].startswith("/pemantauan#incident-")


def test_report_map_colour_classes_cover_every_count_once():
    from portal.reports import shade, shade_bounds

    bounds = shade_bounds(57)
    assert bounds == [(1, 15), (16, 29), (30, 43), (44, 57)]
    assert [shade(n, bounds) for n in (0, 1, 15, 16, 57)] == [0, 1, 1, 2, 4]
    assert shade_bounds(2) == [(1, 1), (2, 2)]
