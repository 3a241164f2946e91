"""The public portal on a phone-sized screen (390 × 844) in a real headless Chromium, against the
app started as the README starts it (its monitor checking the demo's services for real)."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def test_portal_on_a_phone_is_light_readable_and_keyboard_usable(phone, live_app):
    sizes = {}
    phone.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()) if r.ok else 0))
    phone.goto(live_app + "/publik")
    phone.get_by_role("heading", name="Portal Warga Kota Ambon").wait_for()
    assert sum(sizes.values()) < 300_000, sizes
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Langsung ke isi"
    assert phone.get_by_role("link", name="Laporkan masalah di lingkungan Anda").get_attribute("href") == "/publik/lapor"
    phone.get_by_role("link", name="English").click()
    phone.get_by_role("heading", name="Ambon Residents' Portal").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "en"
    assert not phone.errors


def test_status_board_shows_real_checks_on_a_phone(phone, live_app):
    deadline = time.monotonic() + 45
    phone.goto(live_app + "/publik/status")
    card = phone.locator("section.card", has=phone.get_by_role("heading", name="ambon.go.id"))
    while "Pemeriksaan terakhir" not in card.inner_text():  # the first checks come within seconds; the page is cached 15 s
        assert time.monotonic() < deadline, "no check shown for ambon.go.id"
        phone.wait_for_timeout(1000)
        phone.reload()
    assert "Berjalan normal" in card.inner_text()
    assert card.locator("rect").count() == 90 and card.get_by_role("img", name="Ketersediaan harian, 90 hari terakhir (kiri: paling lama)").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="Peta laporan").click()
    phone.locator(".map svg path").first.wait_for()
    assert phone.get_by_text("Jumlah laporan per desa").first.is_visible()
