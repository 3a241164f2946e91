"""The BPBD flood page in a real headless Chromium: a drill (the simulated rain) raises Awas marked
LATIHAN, the operator records an acknowledgement, ends and clears the drill, and a CSV upload
reports on every row."""
import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import login, serve_app

pytestmark = pytest.mark.browser

AWAS = ".flood-alert[data-level='3']"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The app with a quick drill: a 10-minute step every 0.6 s, the event in about 26 s."""
    with serve_app(tmp_path_factory.mktemp("flood-instance"), FLOOD_DRILL_MINUTES_PER_STEP="0.01") as base:
        yield base


def _open(page, live_app):
    login(page, live_app, "bpbd")
    page.goto(live_app + "/banjir")
    page.wait_for_selector("#flood-map .flood-gauge-icon", timeout=60000)  # a loaded machine (CI with xdist) took over 20 s


def test_every_slow_part_says_it_is_loading_until_its_data_arrives(page, live_app):
    """The page's data callbacks are held back at the network until the loading state has been seen,
    so the check does not depend on how fast the server answers."""
    login(page, live_app, "bpbd")
    held, holding = [], [True]

    def hold_data_callbacks(route):
        if holding[0] and "_pages_content" not in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", hold_data_callbacks)
    page.goto(live_app + "/banjir")
    slow_parts = ("#flood-sim-status", "#flood-gauge-summary", "#flood-alert-slot-0", "#flood-camera-list", "#flood-history")
    for part in slow_parts:
        page.locator(f"{part} .flood-loading").wait_for(timeout=20000)
        assert page.locator(part).inner_text() == "Memuat data…"
    assert page.locator("#flood-chart .annotation-text").text_content() == "Memuat data…"
    assert held  # the loading state was seen while the data was on its way

    holding[0] = False
    for route in held:
        route.continue_()
    page.wait_for_function("() => !document.querySelector('.flood-loading')", timeout=30000)
    page.locator("#flood-gauge-summary .flood-badge").wait_for(timeout=30000)
    assert "Tinggi muka air" in page.locator("#flood-gauge-summary").inner_text()
    # no readings yet: the chart says so instead of drawing bare axes (a time axis of -1…6)
    page.locator("#flood-chart .annotation-text", has_text="Belum ada bacaan pada rentang waktu ini").wait_for(timeout=30000)
    assert page.locator("#flood-chart .xtick").count() == 0
    main = page.locator("main").inner_text()
    assert "Memuat" not in main and "Loading" not in main
    assert page.errors == []


def test_a_drill_raises_awas_marked_latihan_an_acknowledged_rt_moves_down_and_the_drill_clears(page, live_app):
    _open(page, live_app)
    legend = page.locator("#flood-legend").inner_text()
    for entry in ("Awas", "Siaga", "Waspada", "Normal", "Tanpa pos duga air", "Kamera pemantau sungai", "Laut", "Daratan"):
        assert entry in legend
    assert page.locator(".leaflet-overlay-pane path").count() > 10  # land, watersheds, zones, rivers as vectors
    camera = page.locator(".flood-camera").first
    picture = camera.locator("img").get_attribute("src")  # in the page's answer, or the camera's OFFLINE card
    assert picture.startswith("data:image/jpeg;base64,") or "/thumbnail.jpg?offline=" in picture
    assert camera.locator("a").first.get_attribute("href").startswith("/kamera/langsung?id=")

    page.get_by_role("button", name="Jalankan simulasi hujan").click()
    page.locator(AWAS).first.wait_for(timeout=45000)
    alert_id = page.locator(AWAS).first.get_attribute("data-alert")
    card = page.locator(f".flood-alert[data-alert='{alert_id}']")
    assert "AWLR Batu Merah" in card.inner_text() and "LATIHAN" in card.inner_text()
    assert "LATIHAN" in page.locator("#flood-drill-banner").inner_text()
    _the_drill_is_on_the_page_and_the_layout_holds(page)
    # people affected, from the desa populations, written as Indonesians write numbers
    assert re.search(r"Perkiraan warga terdampak: \d{1,3}(\.\d{3})* jiwa", card.inner_text()), card.inner_text()
    assert card.locator("a", has_text="CAP 1.2").get_attribute("href") == f"/api/flood/alerts/{alert_id}/cap.xml"
    rows = card.locator("tr.flood-rt")
    assert rows.count() >= 2 and card.locator("tr.flood-rt-acked").count() == 0
    first = rows.first
    delivery = first.get_attribute("data-delivery")
    assert "Ketua RT" in first.inner_text() and "+62 811-0000-" in first.inner_text() and "[LATIHAN] [AWAS BANJIR]" in first.inner_text()

    first.get_by_role("button", name="Dikonfirmasi").click()
    page.wait_for_function(
        """([alertId, delivery]) => {
            const card = document.querySelector(`.flood-alert[data-alert='${alertId}']`);
            if (!card) return false;
            const rows = [...card.querySelectorAll("tr.flood-rt")];
            const at = rows.findIndex(r => r.dataset.delivery === delivery);
            return at > 0 && rows[at].classList.contains("flood-rt-acked")
                && rows.slice(0, at).every(r => r.classList.contains("flood-rt-pending"));
        }""",
        arg=[alert_id, delivery], timeout=30000,
    )
    acked = card.locator(f"tr[data-delivery='{delivery}']").inner_text()
    assert "Dikonfirmasi" in acked and "bpbd" in acked and "WIT" in acked  # who recorded it: the logged-in user

    page.get_by_role("button", name="Hapus data latihan").click()  # ends the drill too, if still playing
    page.locator("#flood-sim-status").get_by_text("Data latihan terakhir sudah dihapus.").wait_for(timeout=30000)
    page.wait_for_function("() => !document.querySelector('.flood-alert-drill') && !document.querySelector('.flood-drill-banner')", timeout=30000)
    assert page.errors == []


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _the_drill_is_on_the_page_and_the_layout_holds(page):
    """With the drill's banner shown, the map keeps its width and its drawing, the gauge picker stays
    in the left column, and the gauge panel, map labels and chart show the drill's readings."""
    page.locator("#flood-gauge-summary .flood-exercise").wait_for(timeout=20000)
    summary = page.locator("#flood-gauge-summary").inner_text()
    assert "LATIHAN" in summary and re.search(r"Tinggi muka air: \d+ cm", summary), summary
    side = _box(page, ".flood-side")
    flood_map, picker, banner = _box(page, "#flood-map"), _box(page, "#flood-gauge-pick"), _box(page, "#flood-drill-banner")
    assert flood_map["width"] > 400 and flood_map["height"] > 200, flood_map
    assert banner["x"] + banner["width"] <= side["x"] + 1 and banner["y"] + banner["height"] <= flood_map["y"] + 1
    assert picker["x"] + picker["width"] <= side["x"] + 1, (picker, side)  # not pushed over the alert panel
    assert page.locator(".leaflet-overlay-pane path").count() > 10
    page.wait_for_function("() => [...document.querySelectorAll('#flood-map .flood-gauge-icon')].some(e => /^\\d+ cm$/.test(e.textContent.trim()))",
                           timeout=20000)
    page.locator("#flood-chart .legendtext", has_text="Latihan (LATIHAN)").wait_for(timeout=20000)
    status = page.locator("#flood-sim-status").inner_text()
    assert "waktu simulasi" in status, status
    rain_ticks = [float(tick.replace(",", ".")) for tick in page.locator("#flood-chart .y2tick text").all_text_contents()]
    steps = {round(b - a, 6) for a, b in zip(rain_ticks, rain_ticks[1:])}
    assert len(steps) == 1 and steps.pop() in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50), rain_ticks  # not 0,7 / 1,39 / 2,09


def test_csv_upload_reports_every_row(page, live_app, tmp_path):
    _open(page, live_app)
    when = (datetime.utcnow() - timedelta(minutes=33, seconds=7)).replace(microsecond=0).isoformat()
    csv = tmp_path / "bacaan.csv"
    csv.write_text(f"gauge,time,level_cm\nAWLR-BTG,{when},51.5\nAWLR-XXX,{when},60\nAWLR-BTG,{when}Z,<b>banyak</b>\n")
    page.locator("#flood-upload input[type=file]").set_input_files(str(csv))
    report = page.locator("#flood-upload-report")
    report.locator("table").wait_for(timeout=15000)
    text = report.inner_text()
    assert "1 diterima, 0 digabung (sudah ada), 2 ditolak" in text
    assert "pos duga air tidak dikenal: 'AWLR-XXX'" in text and "<b>banyak</b>" in text  # in Indonesian, shown as text
    assert report.locator("b").count() == 0
    assert page.errors == []


def test_a_file_that_is_no_readings_csv_is_refused_in_indonesian(page, live_app):
    _open(page, live_app)
    upload = page.locator("#flood-upload input[type=file]")
    report = page.locator("#flood-upload-report")
    for name, body, why in (("bacaan.csv", b"pos,jam,tinggi\nAWLR-BTG,2026-11-27T10:00,51\n", "baris judul harus memuat kolom gauge, time"),
                            ("data_awlr.xlsx", b"PK\x03\x04" + bytes(64), "berkas bukan teks CSV")):
        upload.set_input_files(files=[{"name": name, "mimeType": "application/octet-stream", "buffer": body}])  # any name: the server decides
        report.get_by_text(why).wait_for(timeout=15000)
        text = report.inner_text()
        assert text.startswith("Berkas tidak dapat dibaca: ") and text.endswith("Tidak ada bacaan yang disimpan.")
        assert "header" not in text and "accepted" not in text  # no English inside
    assert page.errors == []
