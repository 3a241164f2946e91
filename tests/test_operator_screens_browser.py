"""The operators' screens in a real Chromium against the real app, on the faults of a walk-through: a
camera edited to a dead URL says since when it is down everywhere, the live view never says
"standby" while it opens, its close button reads in both themes, the wall's OFFLINE band hides no
name, and the map's cameras are in sight on a laptop screen."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from store.db import make_engine
from store.models import Camera
from tests.conftest import login, serve_app

pytestmark = pytest.mark.browser

DEAD_URL = "http://127.0.0.1:9/mati.mjpg"
"""A loopback address, which cameras may not use unless CAMERA_NETWORKS allows it: the edited
camera's reader is refused, so its health record has no last frame of its own."""
WHEN = r"\d\d-\d\d-\d{4} \d\d:\d\d WIT"


@pytest.fixture(scope="module")
def screens_app(tmp_path_factory):
    """The app, with its first camera edited to a dead URL (as an admin would) once it runs."""
    instance = tmp_path_factory.mktemp("screens-instance")
    with serve_app(instance) as base:
        engine = make_engine(f"sqlite:///{instance / 'ambon.db'}")
        with engine.begin() as conn:
            name = conn.execute(Camera.__table__.select().where(Camera.id == 1)).one().name
            conn.execute(update(Camera).where(Camera.id == 1).values(stream_url=DEAD_URL))
        yield base, name
        engine.dispose()


def test_an_edited_dead_camera_says_since_when_on_its_card_as_the_health_page_does(page, screens_app):
    base, name = screens_app
    login(page, base, "operator")
    page.goto(base + "/kamera/kesehatan")
    row = page.locator(".cam-health tbody tr", has_text=name)
    # the readers re-read the camera list every 10 s, the status history is written every 10 s
    row.locator(".cam-outage", has_text=re.compile("^sejak")).wait_for(timeout=45_000)  # "sejak <start>, sudah ..."
    outage = re.search(WHEN, row.locator(".cam-outage").inner_text()).group(0)
    assert f"OFFLINE sejak {outage}" in row.inner_text()  # its status says the same time

    page.goto(base + "/")
    card = page.locator("#cam-in-view .cam-thumb", has_text=name)
    card.wait_for(timeout=20_000)
    caption = card.locator(".cam-thumb-status")
    caption.get_by_text("OFFLINE").wait_for(timeout=15_000)
    assert caption.inner_text() == f"OFFLINE sejak {outage}"  # not "belum ada gambar": the history knows
    # its picture is the grey card (which says the same time), not its last frame
    assert "offline=" in card.locator("img").get_attribute("src")
    assert page.errors == []


def test_the_live_view_says_it_is_connecting_never_standby_until_its_frame_rate_shows(page, screens_app):
    base, _ = screens_app
    login(page, base, "operator")
    page.goto(base + "/")
    card = page.locator("#cam-in-view .cam-thumb-online").first
    card.wait_for(timeout=20_000)
    # every text the frame-rate fact ever shows, recorded as the page draws it
    page.evaluate("""() => {
      window.fpsSeen = [];
      const look = () => { const row = [...document.querySelectorAll('#cam-live-info tr')].find(r => r.innerText.startsWith('Laju gambar'));
                           if (row) { window.fpsSeen.push(row.querySelector('td').innerText); } };
      new MutationObserver(look).observe(document.getElementById('cam-live-info'), {childList: true, subtree: true, characterData: true});
    }""")
    card.click()
    page.locator("#cam-live").wait_for(state="visible", timeout=10_000)
    page.wait_for_function("window.fpsSeen.some(t => t.includes('gambar/dtk'))", timeout=15_000)
    seen = page.evaluate("window.fpsSeen")
    assert seen and not [text for text in seen if "siaga" in text], seen
    assert set(seen) <= {"menghubungkan…"} | {text for text in seen if text.endswith("gambar/dtk")}, seen
    assert page.errors == []


CONTRAST_JS = """(selector) => {
  // WCAG contrast of an element's text on what is painted behind it: its own and its ancestors'
  // backgrounds, composited, up to the first opaque one; a translucent overlay (positioned) over
  // the map is taken over black and over white, whichever is worse
  const rgba = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3]));
  const el = document.querySelector(selector), layers = [];
  let node = el, opaque = false;
  while (node && node.nodeType === 1) {
    const style = getComputedStyle(node), bg = rgba(style.backgroundColor);
    if (bg[3] > 0) { layers.push(bg); }
    if (bg[3] >= 1) { opaque = true; break; }
    if (node !== el && bg[3] > 0 && ['absolute', 'fixed'].includes(style.position)) { break; }
    node = node.parentElement;
  }
  const fg = rgba(getComputedStyle(el).color);
  const ratios = (opaque ? [[0, 0, 0]] : [[0, 0, 0], [255, 255, 255]]).map(backdrop => {
    const bg = layers.reduceRight((below, top) => over(top, below), backdrop);
    const text = over(fg, bg), [a, b] = [lum(text), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  return Math.min(...ratios);
}"""


@pytest.mark.parametrize("theme", ["terang", "gelap"])
def test_the_live_views_close_button_reads_at_wcag_aa_in_both_themes(page, screens_app, theme):
    base, _ = screens_app
    login(page, base, "operator")
    page.goto(base + f"/?tema={theme}")
    page.wait_for_function(f"document.documentElement.dataset.theme === '{theme}'")
    page.locator("#cam-in-view .cam-thumb-online").first.click(timeout=20_000)
    close = page.locator("#cam-live-close")
    close.wait_for(state="visible", timeout=10_000)
    assert close.inner_text() == "Tutup"
    assert page.evaluate(CONTRAST_JS, "#cam-live-close") >= 4.5
    close.hover()  # hovered, it is filled: its text on its own fill
    page.wait_for_function(f"({CONTRAST_JS})('#cam-live-close') >= 4.5", timeout=5_000)
    assert page.errors == []


def _overlap(a: dict, b: dict) -> float:
    """The area two bounding boxes share (0: apart or only touching)."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, width) * max(0.0, height)


@pytest.mark.parametrize("layout", ["", "?tata=4x4"])
def test_the_walls_offline_band_hides_neither_the_grey_cards_name_nor_the_caption(page, screens_app, layout):
    base, name = screens_app
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, base, "operator")
    page.goto(base + "/kamera" + layout)
    tile = page.locator(".cam-wall .cam-tile").first  # offline cameras first
    tile.locator(".cam-tile-offline").wait_for(timeout=45_000)  # the refused camera stays on the wall, by its kind
    assert tile.locator(".cam-thumb-name").inner_text() == name
    page.wait_for_function("document.querySelector('.cam-wall .cam-tile img').naturalWidth > 0", timeout=10_000)
    band = tile.locator(".cam-tile-offline").bounding_box()
    assert band["height"] > 0 and tile.locator(".cam-tile-offline").inner_text() == "OFFLINE"
    assert _overlap(band, tile.locator(".cam-thumb-name").bounding_box()) == 0
    if not layout:  # a grid tile: the picture (the grey card, its name drawn in it) is all in sight
        assert _overlap(band, tile.locator("img").bounding_box()) == 0
    assert page.errors == []


def _in_sight(page, selector: str) -> bool:
    """Whether the element's box is wholly inside the window."""
    return page.evaluate("""(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; }""", selector)


@pytest.mark.parametrize("width,height,filters_in_sight", [(1366, 768, False), (1920, 1080, True), (800, 900, False)])
def test_the_maps_cameras_are_in_sight_without_scrolling(page, screens_app, width, height, filters_in_sight):
    base, _ = screens_app
    page.set_viewport_size({"width": width, "height": height})
    login(page, base, "operator")
    page.goto(base + "/")
    page.locator("#cam-in-view .cam-thumb").first.wait_for(timeout=20_000)
    assert page.evaluate("document.querySelector('.side-panel').scrollTop") == 0
    assert _in_sight(page, ".side-cameras .panel-title") and _in_sight(page, "#cam-in-view .cam-thumb")
    # the filters: beside the cameras on a wide screen, under them (the panel scrolls) on a smaller one
    assert _in_sight(page, ".side-filters .panel-title") == filters_in_sight
    assert page.evaluate("document.querySelector('.leaflet-container').getBoundingClientRect().width") >= width - 620
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
    assert page.errors == []
