"""The BPBD page on a long flood night (200 alerts, 2,000 RT, ~48,000 RT warnings; flood.night), in a
real headless Chromium: its first data and an acknowledgement come within their limits, the lists
are paged, and a camera BPBD may not watch is refused as "not allowed".

The goals (first data in 2 s, an acknowledgement in 1 s) are measured and printed by
bench/flood_day.py; here the deadlines are the generous ones a person would still call working
(before paging, the page did not appear within 120 s), so a busy test machine does not fail a fast page.
"""
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from flood.night import seed_flood_night
from store.db import make_engine
from store.models import Camera
from tests.conftest import login, serve_app

pytestmark = pytest.mark.browser

FIRST_DATA_S = 30.0
ACKNOWLEDGEMENT_S = 15.0


@pytest.fixture(scope="module")
def night_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("flood-night")
    with serve_app(instance) as base:
        engine = make_engine(f"sqlite:///{instance / 'ambon.db'}")
        night = seed_flood_night(engine, datetime.utcnow().replace(microsecond=0))
        yield base, engine, night
        engine.dispose()


def open_board(page, base: str, limit_s: float) -> float:
    start = time.monotonic()
    page.goto(base + "/banjir")
    page.locator("#flood-alerts .flood-alert").first.wait_for(timeout=limit_s * 1000)
    page.locator("#flood-gauge-summary .flood-badge").wait_for(timeout=limit_s * 1000)
    return time.monotonic() - start


def test_two_hundred_alerts_first_data_and_an_acknowledgement_in_time(page, night_app):
    base, _, night = night_app
    assert night.alerts == 200 and night.rts == 2000
    login(page, base, "bpbd")
    open_board(page, base, 120)  # a fresh server: the browser loads the scripts, the server fills its caches
    first_data = open_board(page, base, FIRST_DATA_S)
    cards = page.locator("#flood-alerts .flood-alert")
    assert cards.count() == 5 and "Halaman 1 dari 30 (150 peringatan)" in page.locator("#flood-alerts-pager").inner_text()
    assert page.locator("#flood-history .flood-history-item").count() == 10
    assert "(50 peringatan ditutup)" in page.locator("#flood-history-pager").inner_text()

    row = page.locator("#flood-alerts tr.flood-rt-pending").first
    delivery = row.get_attribute("data-delivery")
    limit = ACKNOWLEDGEMENT_S
    start = time.monotonic()
    row.get_by_role("button", name="Dikonfirmasi").click()
    page.locator(f"tr[data-delivery='{delivery}'] .flood-rt-state-acked").wait_for(timeout=limit * 1000)
    acknowledged = time.monotonic() - start
    assert "bpbd" in page.locator(f"tr[data-delivery='{delivery}']").inner_text()
    print(f"first data {first_data:.2f} s, acknowledgement {acknowledged:.2f} s")
    assert page.errors == []


def test_the_alert_list_turns_page_by_page(page, night_app):
    base, _, _ = night_app
    login(page, base, "bpbd")
    page.goto(base + "/banjir")
    pager = page.locator("#flood-alerts-pager")
    pager.get_by_text("Halaman 1 dari 30").wait_for(timeout=60_000)
    first = page.locator("#flood-alerts .flood-alert").first.get_attribute("data-alert")
    page.get_by_role("button", name="Berikutnya ›").first.click()
    pager.get_by_text("Halaman 2 dari 30").wait_for(timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('#flood-alerts .flood-alert')?.dataset.alert !== '{first}'", timeout=60_000)
    assert page.locator("#flood-alerts .flood-alert").count() == 5
    assert page.errors == []


def test_a_camera_bpbd_may_not_watch_says_not_allowed(page, night_app):
    base, engine, _ = night_app
    with engine.connect() as conn:
        road = conn.execute(select(Camera.id).where(Camera.group != "bpbd").limit(1)).scalar_one()
        river = conn.execute(select(Camera.id).where(Camera.group == "bpbd").limit(1)).scalar_one()
    login(page, base, "bpbd")
    page.goto(f"{base}/kamera/langsung?id={road}")
    page.get_by_text("Anda tidak diizinkan melihat kamera ini.").wait_for(timeout=30_000)
    assert "tidak dikenal" not in page.locator("main").inner_text()
    page.goto(f"{base}/kamera/langsung?id=99999")
    page.get_by_text("Kamera tidak dikenal.").wait_for(timeout=30_000)
    page.goto(f"{base}/kamera/langsung?id={river}")
    page.locator("#cam-live").wait_for(timeout=30_000)
