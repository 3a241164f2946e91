"""The leaders' board as its users meet it: the role's limits (policy and server, by direct calls),
the weekly report's PDF opened and its figures read back, the background job's schedule (moved
clock), the portal counting, and the targets form."""
from __future__ import annotations

from datetime import datetime, timedelta

import pypdfium2
import pytest
from sqlalchemy import select

from alerts.store import set_preferences
from auth.policy import ROLES, Account, route_permission
from tests.conftest import build_app
from config import Settings
from leaders import rollup
from leaders.jobs import LeadersJob
from leaders.models import LeaderTarget
from leaders.report import most_overdue, report_pdf, stored_weeks
from routes.leaders_pages import MAP_SIZE, TargetError, compose_report, counted_as, parse_targets
from store.models import Business
from tests.conftest import csrf_token_of, login_client
from tests.test_leaders import CALENDAR, LATER, MONDAY, build_week


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_leader_role_sees_the_board_and_nothing_personal():
    leader = Account("walikota", "leader")
    assert leader.can("leaders")
    assert not any(leader.can(p) for p in ("map", "complaints", "tax", "camera", "footage", "monitor", "flood", "admin", "coverage"))
    assert Account("a", "admin").can("leaders")
    assert [r for r in ROLES if Account("x", r).can("leaders")] == ["admin", "leader"]
    assert route_permission("/kinerja-cc") == route_permission("/kinerja-cc/laporan.pdf") == "leaders"
    assert route_permission("/kinerja-cc/target") == "admin"


def test_report_pdf_reads_back_the_weeks_figures(engine):
    build_week(engine)
    rollup.rollup(engine, [MONDAY + timedelta(days=i) for i in range(-7, 8)], now=LATER, calendar=CALENDAR)
    doc, areas, _ = compose_report(engine, MONDAY, LATER, "id")
    text = pdf_text(report_pdf(doc, areas, MAP_SIZE))
    assert "Laporan Mingguan Kinerja Command Center Kota Ambon" in text
    assert "Minggu 16 November 2026 s.d. 22 November 2026" in text
    assert "50,0 %" in text and "1 dari 2 pengaduan selesai; 1 tanpa tenggat tercatat" in text
    assert "1,5 hari kerja" in text and "4 dari 6 pengaduan; 2 tanpa catatan tanggapan pertama" in text
    assert "98,5 %" in text and "414 dari 420 jam-kamera berstatus diketahui; 12 jam-kamera sebelum status pertama" in text
    assert "1 dari 3 peringatan terkirim; 1 tanpa konfirmasi tercatat" in text
    assert "Rp 1.500.000" in text
    assert "Belum digunakan" in text  # the coverage analysis has not fed the board
    assert "PUPR" in text and "C6" in text and "hari kerja lewat" in text  # C6 waits past its deadline
    assert "SIMPEG" in text and "Cam B 6,0 jam" in text and "Cam A 0,5 jam" in text  # most downtime, half an hour too
    assert "DLH: 50,0 % (1 / 2)" in text and "PUPR: 0,0 % (0 / 1)" in text  # per agency


def test_overdue_list_carries_no_personal_fields(engine):
    build_week(engine)
    overdue = most_overdue(engine, LATER, CALENDAR)
    assert list(overdue) == ["PUPR"]
    assert set(overdue["PUPR"][0]) == {"ticket", "category", "kecamatan_code", "days_over"}


class FakeLease:
    def __init__(self, held: bool):
        self.held = held

    def hold(self) -> bool:
        return self.held

    def release(self) -> None:
        self.held = False


def job_for(engine, held=True, made=None, counts=None):
    made = made if made is not None else []
    return LeadersJob(engine, FakeLease(held), calendar=lambda: CALENDAR,
                      make_report=made.append, report_exists=lambda monday: monday in made,
                      take_counts=lambda: dict(counts or {}), period_s=3600)


def test_job_makes_mondays_report_once_and_only_under_the_lease(engine):
    made = []
    monday_8_wit = datetime(2026, 11, 22, 23, 0)  # Monday 23 November, 08:00 WIT
    job = job_for(engine, made=made)
    job.tick(monday_8_wit)
    job.tick(monday_8_wit + timedelta(minutes=1))
    assert made == [MONDAY]
    assert len(rollup.days_due(engine, monday_8_wit)) == rollup.SETTLE_DAYS  # caught up at start
    sunday_made = []
    job_for(engine, made=sunday_made).tick(monday_8_wit - timedelta(hours=2))  # 06:00 WIT: the week before's report
    assert sunday_made == [MONDAY - timedelta(weeks=1)]
    idle_made = []
    job_for(engine, held=False, made=idle_made).tick(monday_8_wit)
    assert idle_made == []


def test_every_process_writes_its_public_counts(engine):
    job = job_for(engine, held=False, counts={"portal_visit": 4, "ticket_lookup": 1})
    job.tick(LATER)
    rollup.rollup(engine, [rollup.wit_day(LATER)], now=LATER, calendar=CALENDAR)
    from leaders import indicators
    got = {f.key: f for f in indicators.figures(engine, rollup.wit_day(LATER))}
    assert (got["portal_visits"].value, got["ticket_lookups"].value) == (4, 1)


def test_what_counts_as_a_portal_visit():
    assert counted_as("GET", "/publik", 200, {}) == "portal_visit"
    assert counted_as("GET", "/publik/tiket", 200, {"tiket": "LPR-1"}) == "ticket_lookup"
    assert counted_as("GET", "/publik/static/publik.css", 200, {}) is None
    assert counted_as("GET", "/publik/poster.pdf", 200, {}) is None
    assert counted_as("GET", "/publik", 429, {}) is None
    assert counted_as("GET", "/kamera", 200, {}) is None


def test_targets_form_reads_percent_and_refuses_nonsense():
    assert parse_targets({"target-cx_deadline": "92,5", "target-backlog": "300"})["cx_deadline"] == pytest.approx(0.925)
    for bad in ("abc", "150", "-1", "nan"):
        with pytest.raises(TargetError):
            parse_targets({"target-cx_deadline": bad})


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "SERVICE_MONITOR": "0",
                                         "LEADERS_JOB": "0", "SECRET_KEY": "leaders-test-" + "k" * 40}))


def test_server_lets_only_leaders_and_admins_in(app):
    engine = app.server.extensions["leaders_pages"]["engine"]
    rollup.catch_up(engine, now=datetime.utcnow(), calendar=CALENDAR)
    leader, operator, admin = (login_client(app.server.test_client(), role) for role in ("leader", "operator", "admin"))
    board = leader.get("/kinerja-cc")
    assert board.status_code == 200
    html = board.get_data(as_text=True)
    with engine.connect() as conn:
        names = conn.execute(select(Business.name)).scalars().all()
    assert names and not any(name in html for name in names)  # no taxpayer by name
    assert leader.get("/kinerja-cc?layar=besar").status_code == 200
    assert leader.get("/kinerja-cc/laporan.pdf").content_type == "application/pdf"
    assert leader.get("/kinerja-cc/laporan?minggu=bukan-tanggal").status_code == 400
    assert operator.get("/kinerja-cc").status_code == 403
    assert leader.get("/api/tax/cases").status_code in (401, 403)
    token = csrf_token_of(leader.get("/keluar").get_data(as_text=True))  # the log-out form holds the session's token
    assert leader.post("/kinerja-cc/target", data={"csrf_token": token, "target-backlog": "5"}).status_code == 403
    admin_token = csrf_token_of(admin.get("/kinerja-cc").get_data(as_text=True))
    saved = admin.post("/kinerja-cc/target", data={"csrf_token": admin_token, "target-cx_deadline": "90"})
    assert saved.status_code == 302 and "lead.targets.saved" in saved.headers["Location"]
    with engine.connect() as conn:
        assert conn.execute(select(LeaderTarget.target).where(LeaderTarget.indicator == "cx_deadline")).scalar_one() == pytest.approx(0.9)
    refused = admin.post("/kinerja-cc/target", data={"csrf_token": admin_token, "target-cx_deadline": "sembilan puluh"})
    assert "lead.targets.bad" in refused.headers["Location"]
    assert stored_weeks(app.server.extensions["leaders_pages"]["reports_dir"]) == []


def test_the_board_is_drawn_in_the_users_saved_theme(app):
    engine = app.server.extensions["leaders_pages"]["engine"]
    leader = login_client(app.server.test_client(), "leader")
    assert 'data-theme="terang" data-bs-theme="light"' in leader.get("/kinerja-cc").get_data(as_text=True)
    set_preferences(engine, "leader", theme="gelap")  # chosen with the header's switch in the Dash shell
    try:
        html = leader.get("/kinerja-cc").get_data(as_text=True)
        assert 'data-theme="gelap" data-bs-theme="dark"' in html
        assert "/assets/theme.css" in html and "/assets/room.js" in html  # where a screen's ?tema= wins
    finally:
        set_preferences(engine, "leader", theme="terang")
