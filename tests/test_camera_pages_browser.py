"""Camera pages in a real Chromium against the real app: live view from a marker click, thumbnails
that refresh, a camera added while the app runs, and a dead camera shown as OFFLINE."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import insert

from store.db import make_engine
from store.models import Camera
from tests.conftest import login, serve_app

pytestmark = pytest.mark.browser

# A small grey-level signature of what an <img> shows now (same origin, so the canvas is readable).
SIGNATURE_JS = """(selector) => {
  const img = document.querySelector(selector), c = document.createElement('canvas');
  c.width = 64; c.height = 36;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0, 64, 36);
  const d = g.getImageData(0, 0, 64, 36).data; let s = 0, h = 0;
  for (let i = 0; i < d.length; i += 4) { s += d[i] + d[i + 1] + d[i + 2]; h = (h * 31 + d[i]) % 1000003; }
  return s + ':' + h;
}"""


@pytest.fixture(scope="module")
def camera_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("camera-instance")
    with serve_app(instance, CAMERA_NETWORKS="127.0.0.0/8") as base:  # the dead test camera is on loopback, refused by default
        yield base, make_engine(f"sqlite:///{instance / 'ambon.db'}")


def test_marker_click_opens_a_live_view_that_moves_and_close_releases_it(page, camera_app):
    base, _ = camera_app
    login(page, base, "operator")
    page.goto(base + "/")
    marker = page.locator(".leaflet-marker-pane .cam-road").first
    marker.wait_for(timeout=20_000)
    name = marker.get_attribute("title")
    marker.click()

    live = page.locator("#cam-live")
    live.wait_for(state="visible", timeout=10_000)
    assert page.locator("#cam-live-title").inner_text() == name
    page.wait_for_function("document.querySelector('#cam-live-img').naturalWidth > 0", timeout=10_000)
    first = page.evaluate(SIGNATURE_JS, "#cam-live-img")
    page.wait_for_function(f"({SIGNATURE_JS})('#cam-live-img') !== {json.dumps(first)}", timeout=10_000)
    info = page.locator("#cam-live-info")
    info.get_by_text("gambar/dtk").wait_for(timeout=10_000)  # measured frame rate, with its unit
    assert "Daring" in info.inner_text()
    # its field-of-view cone is highlighted on the map
    assert page.locator(".leaflet-overlay-pane path[stroke='#ff6f00']").count() == 1

    page.get_by_role("button", name="Ambil cuplikan (bukti)").click()
    message = page.locator("#cam-snapshot-message")
    message.get_by_text("Cuplikan tersimpan").wait_for(timeout=10_000)
    snapshot_url = message.locator("a").get_attribute("href")
    snapshot = page.request.get(base + snapshot_url)
    assert snapshot.headers["content-type"] == "image/jpeg" and len(snapshot.body()) > 1000

    camera_id = int(page.evaluate("document.querySelector('#cam-live-img').src").split("/cameras/")[1].split("/")[0])
    viewers_are = "n => fetch('/cameras/%d/health').then(r => r.json()).then(h => h.viewers === n)" % camera_id
    page.wait_for_function(viewers_are, arg=1, polling=500, timeout=10_000)  # health is published about once a second
    page.get_by_role("button", name="Tutup").click()
    live.wait_for(state="hidden", timeout=5_000)
    page.wait_for_function(viewers_are, arg=0, polling=500, timeout=10_000)
    assert page.errors == []


def test_thumbnails_in_view_refresh_with_their_age(page, camera_app):
    base, _ = camera_app
    login(page, base, "operator")
    page.goto(base + "/")
    thumb = page.locator("#cam-in-view .cam-thumb-img").first
    thumb.wait_for(timeout=20_000)
    first_src = thumb.get_attribute("src")
    page.wait_for_function("document.querySelector('#cam-in-view .cam-thumb-img').naturalWidth > 0", timeout=10_000)
    page.wait_for_function(f"document.querySelector('#cam-in-view .cam-thumb-img').src.indexOf({json.dumps(first_src)}) < 0",
                           timeout=15_000)
    assert "lalu" in page.locator("#cam-in-view .cam-thumb-status").first.inner_text()  # "gambar 3 dtk lalu"
    assert page.errors == []


def test_an_idle_map_asks_only_for_what_changes_and_the_live_facts_only_while_a_camera_is_open(page, camera_app):
    base, _ = camera_app
    login(page, base, "operator")
    page.goto(base + "/")
    card = page.locator("#cam-in-view .cam-thumb").first
    card.wait_for(timeout=20_000)
    sent: list[str] = []  # each request after this: a callback's outputs, else the URL
    page.on("request", lambda r: sent.append(json.loads(r.post_data)["output"] if "_dash-update-component" in r.url else r.url))

    def after_panel_ticks(n: int) -> None:
        """Until the camera panel has ticked `n` more times (its clock, a 5 s interval), polled."""
        start = sum("cam-in-view-shown" in s for s in sent)
        deadline = time.monotonic() + 60
        while sum("cam-in-view-shown" in s for s in sent) < start + n and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert sum("cam-in-view-shown" in s for s in sent) >= start + n, sent

    after_panel_ticks(2)
    # the cards are updated in place, their pictures inside the panel's answer: no card fires its click
    # callback, no alert its "seen" callback, no picture is fetched, and nothing asks for live facts
    assert not [s for s in sent if any(word in s for word in ("cam-live-info", "cam-selected", "alert-acked", "thumbnail.jpg"))], sent
    assert page.evaluate("document.querySelector('#cam-in-view .cam-thumb-img').src").startswith("data:image/jpeg")

    name = card.locator(".cam-thumb-name").inner_text()
    card.click()
    page.locator("#cam-live").wait_for(state="visible", timeout=10_000)
    assert page.locator("#cam-live-title").inner_text() == name
    after_panel_ticks(2)
    assert sum("cam-live-info" in s for s in sent) >= 2  # the facts of the open camera follow its clock
    page.get_by_role("button", name="Tutup").click()
    page.locator("#cam-live").wait_for(state="hidden", timeout=5_000)
    after_panel_ticks(1)
    sent.clear()
    after_panel_ticks(2)
    assert not [s for s in sent if "cam-live-info" in s], sent
    assert page.errors == []


def test_camera_added_while_running_with_a_dead_url_shows_offline_first(page, camera_app):
    base, engine = camera_app
    login(page, base, "operator")
    with engine.begin() as conn:
        conn.execute(insert(Camera).values(id=901, name="CCTV Uji Mati", kind="river", stream_url="http://127.0.0.1:9/none.mjpg",
                                           lon=128.18, lat=-3.70, heading_deg=90, fov_deg=60, range_m=80))
    page.goto(base + "/kamera")
    card = page.locator(".cam-thumb", has_text="CCTV Uji Mati")
    card.wait_for(timeout=30_000)  # the readers re-read the camera list every 10 s
    card.get_by_text("OFFLINE", exact=True).wait_for(timeout=10_000)  # the tile's OFFLINE band
    page.wait_for_function("[...document.querySelectorAll('.cam-thumb')].some(c => c.innerText.includes('CCTV Uji Mati')"
                           " && c.querySelector('img').naturalWidth > 0)", timeout=10_000)
    status = page.evaluate("fetch('/cameras/901/thumbnail.jpg?t=x').then(r => r.headers.get('X-Camera-Status'))")
    assert status == "offline"  # the grey OFFLINE card, never a stale frame

    page.goto(base + "/kamera/kesehatan")
    first_row = page.locator(".cam-health tbody tr").first
    first_row.get_by_text("CCTV Uji Mati").wait_for(timeout=10_000)  # worst first
    assert "OFFLINE" in first_row.inner_text() and "belum ada gambar" in first_row.inner_text()  # and why, in words
    error = first_row.locator(".cam-error")  # the last trouble in the operator's words, the technical message on hover
    error.get_by_text("Tidak dapat terhubung ke kamera").wait_for(timeout=10_000)
    assert "refused" in error.get_attribute("title").lower()

    page.goto(base + "/")  # its marker is drawn in the offline colour
    page.locator(".leaflet-marker-pane .cam-status-offline[title='CCTV Uji Mati']").wait_for(timeout=15_000)
    assert page.errors == []


def test_video_wall_filters_by_kind_and_unknown_live_id_is_explained(page, camera_app):
    base, _ = camera_app
    login(page, base, "operator")
    page.goto(base + "/kamera")
    page.locator(".cam-wall .cam-thumb").first.wait_for(timeout=20_000)
    total = page.locator(".cam-wall .cam-thumb").count()
    page.get_by_label("Kamera jalan").uncheck()
    page.wait_for_function(f"document.querySelectorAll('.cam-wall .cam-thumb').length < {total}", timeout=10_000)
    assert "dari" in page.locator("#cam-wall-count").inner_text()

    page.goto(base + "/kamera/langsung?id=<script>")
    page.get_by_text("Kamera tidak dikenal.").wait_for(timeout=10_000)
    assert page.errors == []


def test_bpbd_sees_only_the_cameras_of_its_group(page, camera_app):
    base, _ = camera_app
    login(page, base, "bpbd")
    page.goto(base + "/kamera")
    page.locator(".cam-wall .cam-thumb").first.wait_for(timeout=20_000)
    page.wait_for_function("[...document.querySelectorAll('.cam-wall .cam-thumb img')].every(i => i.complete && i.naturalWidth > 0)",
                           timeout=15_000)
    names = page.locator(".cam-wall .cam-thumb-name").all_inner_texts()
    assert names and all("Sungai" in name for name in names)  # river cameras only: the demo puts them in group "bpbd"
    assert page.errors == []  # no picture the server refused


def test_a_viewer_gets_the_map_without_camera_pictures(page, camera_app):
    base, _ = camera_app
    login(page, base, "viewer")
    page.goto(base + "/")
    page.locator(".leaflet-marker-pane .cam-icon").first.wait_for(timeout=20_000)
    assert page.locator("#cam-in-view").count() == 0 and page.locator("#cam-live").count() == 0
    page.locator(".leaflet-marker-pane .cam-road").first.click()  # a click shows the popup, no live view
    page.locator(".leaflet-popup-content").wait_for()
    assert page.errors == []


def test_cameras_too_close_to_tell_apart_are_grouped_until_zoomed_in(page, camera_app):
    base, _ = camera_app
    login(page, base, "operator")
    page.goto(base + "/")
    groups = page.locator(".leaflet-marker-pane .cam-cluster")
    groups.first.wait_for(timeout=20_000)  # the demo has cameras a few pixels apart at the default zoom
    group = groups.first
    assert group.inner_text() == "2" and "kamera berdekatan" in group.get_attribute("title")
    singles = ".leaflet-marker-pane .cam-icon:not(.cam-cluster)"
    before = page.locator(singles).count()
    grouped = groups.count()
    group.click()  # zooms in until they separate
    page.wait_for_function(f"document.querySelectorAll('.leaflet-marker-pane .cam-cluster').length < {grouped}", timeout=10_000)
    assert page.evaluate("document.querySelectorAll('.leaflet-marker-pane .cam-icon:not(.cam-cluster)').length") >= 2
    assert before > 20
    assert "Kamera berdekatan (angka = jumlah)" in page.locator("#map-legend").text_content()  # folded or not
    assert page.errors == []


def test_the_wall_sends_a_tile_its_picture_only_when_its_frame_changed(page, camera_app):
    """A 16-tile wall: each tile's picture comes inside the wall's answer when its frame changed,
    none is fetched by URL but an offline camera's grey card, once."""
    base, _ = camera_app
    login(page, base, "operator")
    fetched: list[str] = []
    answers: list[dict] = []
    page.on("request", lambda r: fetched.append(r.url) if "/thumbnail.jpg" in r.url else None)
    page.on("response", lambda r: answers.append(r.json()["response"]) if "_dash-update-component" in r.url
            and "cam-wall-shown" in (r.request.post_data or "") else None)
    page.goto(base + "/kamera?tata=4x4")
    page.wait_for_function("document.querySelectorAll('#cam-wall .cam-tile').length === 16", timeout=20_000)
    first = page.evaluate("[...document.querySelectorAll('#cam-wall .cam-tile img')].map(i => i.src)")
    deadline = time.monotonic() + 60
    while len(answers) < 4 and time.monotonic() < deadline:  # the first drawing and three ticks
        page.wait_for_timeout(250)
    assert len(answers) >= 4, answers
    now = page.evaluate("[...document.querySelectorAll('#cam-wall .cam-tile img')].map(i => i.src)")
    moved = [i for i, (a, b) in enumerate(zip(first, now)) if a != b]
    assert moved and all(now[i].startswith("data:image/jpeg;base64,") for i in moved)  # the demo's frames move on
    assert all("?offline=" in url for url in fetched), fetched  # every picture that moves came in the answers
    assert len(fetched) == len(set(fetched)), fetched  # an unchanged grey card is not fetched again
    assert page.errors == []
