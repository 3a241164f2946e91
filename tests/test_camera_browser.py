"""A real headless Chromium loads the camera routes: live view on click, offline card for a dead camera.

The Dash map is wired by another issue; this page stands in for it with the same URLs the UI uses.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cameras import CameraManager
from routes.cameras import init_camera_routes

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><body>
<img id="thumb1" class="marker" src="/cameras/1/thumbnail.jpg?t=0" onclick="openLive(1)">
<img id="thumb2" class="marker" src="/cameras/2/thumbnail.jpg?t=0">
<img id="live">
<canvas id="c" width="64" height="36"></canvas>
<script>
function openLive(id) { document.getElementById('live').src = '/cameras/' + id + '/live.mjpg'; }
function sample(id) {  // a small grey-level signature of what the image shows now
  const img = document.getElementById(id), c = document.getElementById('c'), g = c.getContext('2d');
  g.drawImage(img, 0, 0, 64, 36);
  const d = g.getImageData(0, 0, 64, 36).data; let s = [];
  for (let i = 0; i < d.length; i += 4) s.push(d[i] + d[i + 1] + d[i + 2]);
  return s;
}
</script></body></html>"""


@pytest.fixture
def served(settings, refused_url):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium missing in CI (scripts/test installs it)")
        pytest.skip("chromium not installed")
    rows = [{"id": 1, "name": "Pelabuhan Yos Sudarso", "kind": "road", "stream_url": "demo://1"},
            {"id": 2, "name": "Kali Wai Batu Gajah", "kind": "river", "stream_url": refused_url}]
    manager = CameraManager(lambda: rows, settings=settings).start()
    app = Flask(__name__)
    app.add_url_rule("/", "page", lambda: PAGE)
    init_camera_routes(app, manager)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", chromium, manager
    server.shutdown()
    thread.join(5)
    manager.stop()


def test_click_opens_live_view_that_moves_and_dead_camera_shows_offline_card(served, browser):
    # the session's shared browser: a second sync_playwright would fail once another test started it
    base, _chromium, manager = served
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.click("#thumb1")
        page.wait_for_function("document.getElementById('live').naturalWidth > 0", timeout=10_000)
        first = page.evaluate("sample('live')")
        page.wait_for_function(f"JSON.stringify(sample('live')) !== {repr(str(first).replace(' ', ''))}",
                               timeout=10_000)
        assert manager.reader(1).viewers == 1
        # the dead camera: its thumbnail is the grey OFFLINE card
        page.wait_for_function("document.getElementById('thumb2').naturalWidth > 0", timeout=10_000)
        status = page.evaluate("fetch('/cameras/2/thumbnail.jpg?t=1').then(r => r.headers.get('X-Camera-Status'))")
        assert status == "offline"
        grey = page.evaluate("sample('thumb2')")
        assert sum(grey) / len(grey) == pytest.approx(3 * 90, abs=40)  # mostly the card's grey
        page.close()  # closing the view releases the stream
    finally:
        context.close()
    from tests.conftest import wait_until

    wait_until(lambda: manager.reader(1).viewers == 0, 5, message="viewer released after the page closed")
