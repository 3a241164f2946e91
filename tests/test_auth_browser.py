"""Logging in and what each role sees, in a real headless Chromium against the running app."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select

from auth.models import AuditEvent
from auth.policy import ROLES
from store.db import make_engine
from store.models import Camera, Complaint
from tests.conftest import login, wait_until

pytestmark = pytest.mark.browser

HOSTILE_DESCRIPTION = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
HOSTILE_NAME = '<a href="javascript:window.__xss=3">Klik</a>'
HOSTILE_PHONE = '" onmouseover="window.__xss=4'
HOSTILE_USERNAME = '<img src=x onerror="window.__xss=5">'


@pytest.fixture(scope="module")
def live_store(live_app, live_instance):
    engine = make_engine(f"sqlite:///{live_instance / 'ambon.db'}")
    yield engine
    engine.dispose()


CAMERA_PAGES = ["Dinding video", "Kesehatan kamera"]
MONITOR, PORTAL, BOARD = "Pemantauan layanan", "Portal warga", "Kinerja Command Center"
COMPLAINT_PAGES = ["Pengaduan", "Kinerja OPD"]
NAV_LINKS = {
    "admin": ["Peta", *CAMERA_PAGES, *COMPLAINT_PAGES, "Cakupan CCTV", "Banjir (BPBD)", "Pajak restoran", "Admin", MONITOR, PORTAL, BOARD],
    "operator": ["Peta", *CAMERA_PAGES, *COMPLAINT_PAGES, MONITOR, PORTAL],
    "planner": ["Peta", "Cakupan CCTV", PORTAL],
    "bpbd": ["Peta", *CAMERA_PAGES, "Banjir (BPBD)", PORTAL],
    "agency": ["Peta", *CAMERA_PAGES, *COMPLAINT_PAGES, PORTAL],  # the demo agency is DLH: its TPS cameras
    "viewer": ["Peta", PORTAL],
    "tax": ["Peta", "Pajak restoran", PORTAL],
    "leader": [],  # lands on the board (its own page and header): no map, nothing else to open
}


@pytest.mark.parametrize("role", ROLES)
def test_each_demo_role_logs_in_and_sees_its_nav_links(page, live_app, role):
    page.goto(live_app + "/")
    assert "/masuk" in page.url and "operator" in page.locator("#auth-demo-hint").inner_text()
    login(page, live_app, role)
    assert role in page.locator("#auth-user").inner_text()
    links = page.locator(".app-nav a").all_inner_texts()
    assert links == NAV_LINKS[role]
    assert page.errors == []


def test_viewer_cannot_open_a_live_stream(page, live_app):
    login(page, live_app, "viewer")
    assert page.request.get(live_app + "/cameras/1/live.mjpg").status == 403
    assert page.request.get(live_app + "/cameras/1/thumbnail.jpg").status == 403
    page.goto(live_app + "/admin")
    page.wait_for_selector("#auth-forbidden")


def test_logout_from_the_header_ends_the_session(page, live_app):
    login(page, live_app, "planner")
    token = page.evaluate("window.ambon.csrfToken()")
    assert token and page.request.post(live_app + "/cameras/1/snapshot", headers={"X-CSRFToken": token}).status == 403
    page.click("#auth-logout")
    page.wait_for_selector("#auth-login-form")
    assert page.request.get(live_app + "/api/layers/tps.geojson").status == 401


def test_hostile_complaint_text_is_shown_as_text(page, live_app, live_store):
    with live_store.begin() as conn:
        conn.execute(insert(Complaint).values(
            id=900001, ticket="AMB-XSS-1", created_at=datetime(2026, 1, 5), channel="web", category="kriminal",
            description=HOSTILE_DESCRIPTION, status="baru", agency="POLRESTA", lon=128.18, lat=-3.69,
            reporter_name=HOSTILE_NAME, reporter_phone=HOSTILE_PHONE))
    login(page, live_app, "operator")
    page.evaluate("""() => {
        const layer = L.marker([-3.69, 128.18]);
        const labels = {field: {}, status: [], category: [], agency: {}, popup: {loading: "...", error: "error"}};
        window.ambon.map.bindPopup({properties: {id: 900001}}, layer, {hideout: {layer: "complaints", labels: labels}});
        layer.fire("popupopen");  // what opening it on the map does: fetch the details into the popup
        const holder = layer.getPopup().getContent();
        holder.id = "hostile-popup";
        document.body.appendChild(holder);
    }""")
    page.wait_for_function("document.getElementById('hostile-popup').textContent.includes('AMB-XSS-1')", timeout=10000)
    popup = page.locator("#hostile-popup")
    text = popup.inner_text()
    assert HOSTILE_DESCRIPTION in text and HOSTILE_NAME in text and HOSTILE_PHONE in text
    assert popup.locator("script, img, a").count() == 0
    page.evaluate("document.querySelectorAll('#hostile-popup *').forEach(n => n.dispatchEvent(new MouseEvent('mouseover')))")
    assert page.evaluate("window.__xss") is None


def test_hostile_login_name_in_the_audit_log_is_shown_as_text(page, live_app):
    page.goto(live_app + "/masuk")
    page.fill("#auth-username", HOSTILE_USERNAME)
    page.fill("#auth-password", "wrong")
    page.click("#auth-submit")
    page.wait_for_selector("#auth-error")
    page.errors.clear()  # the failed login answers 401 on purpose, which Chromium logs
    login(page, live_app, "admin")
    page.goto(live_app + "/admin")
    page.fill("#admin-audit-action", "login.failed")
    page.click("#admin-audit-search")
    table = page.locator("#admin-audit-table")
    table.locator("td", has_text="onerror").first.wait_for(timeout=10000)
    assert "<img src=x onerror=" in table.inner_text()  # the name as text, inside the detail JSON
    assert table.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []


ENGLISH = re.compile(r"\b(must|got|between|is|are|missing|unknown|group|kind|name|number|the|of)\b", re.IGNORECASE)


def test_a_bad_camera_form_is_refused_in_indonesian_only(page, live_app, live_store):
    with live_store.connect() as conn:
        cameras_before = conn.scalar(select(func.count()).select_from(Camera))
    login(page, live_app, "admin")
    page.goto(live_app + "/admin")
    message = page.locator("#admin-cam-message")

    def save_and_read(previous: str) -> str:
        page.click("#admin-cam-save")
        page.wait_for_function("([el, before]) => el.innerText && el.innerText !== before", arg=[message.element_handle(), previous], timeout=15000)
        return message.inner_text()

    for field, value in (("name", "CCTV Uji"), ("group", "Lalu Lintas!"), ("lon", "128.18"), ("lat", "-3.69"), ("fov-deg", "400"),
                         ("stream-url", "demo://uji")):
        page.fill(f"#admin-cam-{field}", value)
    shown = [save_and_read("")]  # no kind chosen
    page.locator("#admin-cam-kind").click()
    page.locator(".dash-dropdown-option", has_text="Kamera jalan").click()
    shown.append(save_and_read(shown[-1]))  # field of view out of range
    page.fill("#admin-cam-fov-deg", "60")
    shown.append(save_and_read(shown[-1]))  # access group with capitals and "!"
    assert shown == ["Tidak disimpan: jenis kamera belum dipilih atau tidak dikenal",
                     "Tidak disimpan: Sudut pandang (°) harus antara 0° dan 360°, bukan 400°",
                     "Tidak disimpan: grup akses: 1 sampai 40 karakter a-z, 0-9 dan _"]
    assert [text for text in shown if ENGLISH.search(text)] == []
    with live_store.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Camera)) == cameras_before
    assert page.errors == []


def test_a_live_view_session_is_audited_with_user_and_duration(page, live_app, live_store):
    with live_store.connect() as conn:
        before = conn.scalar(select(func.max(AuditEvent.id))) or 0  # live views other tests watched are not this one
    login(page, live_app, "operator")
    page.evaluate("""() => { const img = document.createElement('img'); img.id = 'live';
                             img.src = '/cameras/1/live.mjpg'; document.body.appendChild(img); }""")
    page.wait_for_function("document.getElementById('live').naturalWidth > 0", timeout=15000)
    page.wait_for_timeout(1500)  # watch for a while: the duration is what is checked
    page.goto(live_app + "/masuk?next=/")  # leaving the page closes the stream

    def closed():
        with live_store.connect() as conn:
            return conn.execute(select(AuditEvent.username, AuditEvent.target, AuditEvent.detail)
                                .where(AuditEvent.action == "live.close", AuditEvent.id > before)).first()
    username, target, detail = wait_until(closed, timeout=15, message="live.close in the audit log")
    assert (username, target) == ("operator", "camera:1") and detail["duration_s"] >= 1.5
    with live_store.connect() as conn:
        assert conn.scalar(select(AuditEvent.username).where(AuditEvent.action == "live.open", AuditEvent.id > before)) == "operator"


def test_snapshots_taken_and_read_are_audited(page, live_app, live_store):
    login(page, live_app, "bpbd")
    token = page.evaluate("window.ambon.csrfToken()")
    with live_store.connect() as conn:
        river = conn.scalar(select(Camera.id).where(Camera.group == "bpbd").limit(1))
        road = conn.scalar(select(Camera.id).where(Camera.group == "lalu_lintas").limit(1))
    assert page.request.post(f"{live_app}/cameras/{road}/snapshot", headers={"X-CSRFToken": token}).status == 403
    taken = page.request.post(f"{live_app}/cameras/{river}/snapshot", headers={"X-CSRFToken": token})
    assert taken.status == 201
    assert page.request.get(live_app + taken.json()["url"]).status == 200
    with live_store.connect() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.username, AuditEvent.target)
                              .where(AuditEvent.action.startswith("snapshot.")).order_by(AuditEvent.id)).all()
    assert events == [("snapshot.take", "bpbd", f"camera:{river}"), ("snapshot.read", "bpbd", f"camera:{river}")]
