"""Video wall first pictures: how many tiles are still grey (the OFFLINE card, or no picture yet)
when an operator opens the wall right after the app has started, before anyone looked at a camera;
then what the open wall asks of the server per tick.

    .venv/bin/python bench/wall.py [--layout auto] [--width 1400 --height 900] [--ticks 4]

Starts `python app.py` on a fresh instance (demo city, 37 cameras, no tiles), logs in as operator
in headless Chromium, opens /kamera and prints, at 1, 2 and 5 s after navigation, the visible tiles,
those whose picture has loaded and those showing a grey card. Goal: every visible tile that has a
picture shows it within 2 s. Then, over the next `--ticks` ticks of the wall (its 5-s clock), the
requests the page sends per tick (callbacks, pictures by URL, others) and the bytes they bring.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import CHROMIUM_ARGS, login, serve_app  # noqa: E402

# A tile is grey when the middle of its picture is the card's flat grey (90, 90, 90).
TILE_STATE = """() => [...document.querySelectorAll('#cam-wall .cam-tile')].filter(t => {
    const r = t.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }).map(t => {
    const img = t.querySelector('img');
    if (!img.complete || !img.naturalWidth) return 'none';
    const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    const [r, gr, b] = g.getImageData(Math.floor(c.width / 2), Math.floor(c.height * 0.25), 1, 1).data;
    return (Math.abs(r - 90) < 6 && Math.abs(gr - 90) < 6 && Math.abs(b - 90) < 6) ? 'grey' : 'picture'; })"""


def per_tick(page, ticks: int) -> None:
    """Requests the open wall sends over its next `ticks` ticks (a tick: the wall's callback), and
    the bytes of their answers, per tick."""
    seen: list[tuple[str, int]] = []  # (kind, answer bytes) of each finished request

    def finished(request) -> None:
        if "_dash-update-component" in request.url:
            kind = "wall callback" if "cam-wall.children" in (request.post_data or "") else "other callback"
        else:
            kind = "picture by URL" if "/thumbnail.jpg" in request.url or "/live.mjpg" in request.url else "other"
        seen.append((kind, request.sizes()["responseBodySize"]))

    page.on("requestfinished", finished)
    start = time.monotonic()
    # from one wall answer to the `ticks`-th after it: each tick's pictures load after its answer
    while sum(kind == "wall callback" for kind, _ in seen) < ticks + 1 and time.monotonic() - start < 20 * ticks:
        page.wait_for_timeout(100)
    first = next(n for n, (kind, _) in enumerate(seen) if kind == "wall callback")
    seen = seen[first + 1:]
    counted = sum(kind == "wall callback" for kind, _ in seen)
    print(f"over {counted} wall ticks, per tick (load average {os.getloadavg()[0]:.2f}):")
    for kind in ("wall callback", "other callback", "picture by URL", "other"):
        sizes = [size for k, size in seen if k == kind]
        print(f"  {kind:<15} {len(sizes) / max(1, counted):6.2f} requests  {sum(sizes) / max(1, counted) / 1024:8.1f} KiB")
    print(f"  {'all':<15} {len(seen) / max(1, counted):6.2f} requests  {sum(size for _, size in seen) / max(1, counted) / 1024:8.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layout", default="auto")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--ticks", type=int, default=4, help="wall ticks over which requests are counted")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as instance, serve_app(Path(instance)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": args.width, "height": args.height}).new_page()
        login(page, base, "operator")
        started = time.monotonic()
        page.goto(f"{base}/kamera?tata={args.layout.replace('+', '%2B')}", wait_until="commit")
        print(f"layout {args.layout} at {args.width}x{args.height}; seconds from opening /kamera:")
        tiles_at = pictures_at = None
        print("  at_s  tiles  pictures  grey  not_loaded")
        for at in (1.0, 2.0, 3.0, 5.0, 8.0):
            while time.monotonic() - started < at:
                states = page.evaluate(TILE_STATE)
                now = time.monotonic() - started
                if states and tiles_at is None:
                    tiles_at = now
                if states and pictures_at is None and all(s == "picture" for s in states):
                    pictures_at = now
                page.wait_for_timeout(100)
            print(f"  {at:4.1f}  {len(states):5d}  {states.count('picture'):8d}  {states.count('grey'):4d}  {states.count('none'):10d}")
        print(f"tiles drawn {tiles_at:.1f} s after opening, every visible picture shown at "
              f"{pictures_at:.1f} s" if pictures_at else "not every picture shown within 8 s")
        per_tick(page, args.ticks)
        browser.close()


if __name__ == "__main__":
    main()
