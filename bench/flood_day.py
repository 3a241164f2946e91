"""The BPBD page on a long flood night: 200 alerts, 2,000 RT and ~48,000 RT warnings in the store.

    .venv/bin/python bench/flood_day.py [--runs 3]

Starts the app as the README does (`python app.py`, SQLite, demo city), fills its store with
`flood.night.seed_flood_night`, and measures in headless Chromium, logged in as bpbd:

- first data: from opening /banjir to the first alert card and the gauge figures on screen
  (goal < 2 s); the same page before the night is seeded (no alerts: what the page costs anyway),
  and the first view of the night apart (it fills the server's impact cache);
- acknowledgement: from pressing "Dikonfirmasi" on an RT warning to the warning showing it
  (goal < 1 s);

then the server's share of the work, per part of the page, in milliseconds (median over runs).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flood import board, store  # noqa: E402
from flood.night import seed_flood_night  # noqa: E402
from layouts import flood_page as view  # noqa: E402
from store.db import make_engine  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, login, serve_app  # noqa: E402

FIRST_DATA = "#flood-alerts .flood-alert"
NO_ALERTS = "#flood-alert-slot-0 .flood-note:not(.flood-loading)"
GAUGE_FIGURES = "#flood-gauge-summary .flood-badge"


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def open_page(page, base: str, first_data: str = FIRST_DATA) -> float:
    """Seconds from navigating to /banjir until alerts (`first_data`) and gauge figures are shown."""
    start = time.perf_counter()
    page.goto(base + "/banjir")
    page.locator(first_data).first.wait_for(timeout=120_000)
    page.locator(GAUGE_FIGURES).wait_for(timeout=120_000)
    return time.perf_counter() - start


def acknowledge_one(page) -> float:
    """Seconds from pressing "Dikonfirmasi" on the first pending warning until it shows as acknowledged."""
    row = page.locator("#flood-alerts tr.flood-rt-pending").first
    delivery = row.get_attribute("data-delivery")
    button = row.get_by_role("button", name="Dikonfirmasi")
    start = time.perf_counter()
    button.click()
    page.locator(f"tr[data-delivery='{delivery}'] .flood-rt-state-acked").wait_for(timeout=60_000)
    return time.perf_counter() - start


def server_parts(engine) -> dict[str, float]:
    """Milliseconds of the server work behind each part of the page (impact uncached)."""
    parts = {}
    parts["tick (versions)"] = seconds(lambda: board.board_versions(engine))
    parts["map + gauges"] = seconds(lambda: board.watershed_levels(engine, board.gauge_status(engine)))
    on_board = board.alerts_to_follow(engine)
    parts["alerts page"] = seconds(lambda: board.alerts_to_follow(engine))
    deliveries = store.read_deliveries(engine, alert_ids=on_board.rows.id.tolist())
    parts["its warnings"] = seconds(lambda: store.read_deliveries(engine, alert_ids=on_board.rows.id.tolist()))
    parts["impact (uncached)"] = seconds(lambda: board.alert_impacts(engine, [a.zone_ids for a in on_board.rows.itertuples() if a.level >= 2]))
    by_alert = dict(list(deliveries.groupby("alert_id", sort=False)))
    parts["alert cards"] = seconds(lambda: [view.alert_card(a, *board.warnings_in_view(by_alert.get(a.id, deliveries.iloc[0:0]), view.RT_ROWS_SHOWN),
                                                            None, {}, "id") for a in on_board.rows.itertuples()])
    parts["history page"] = seconds(lambda: view.history_list(board.alert_history(engine).rows, "id"))
    delivery = int(deliveries.id.iloc[-1])
    parts["acknowledgement"] = seconds(lambda: (board.record_action(engine, delivery, "acknowledged", actor="bench", now=datetime.utcnow()),
                                                view.delivery_status(store.read_deliveries(engine, delivery_ids=[delivery]).iloc[0], "id")))
    return {name: value * 1000 for name, value in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, serve_app(Path(folder)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        login(page, base, "bpbd")
        open_page(page, base, NO_ALERTS)
        empty = statistics.median(open_page(page, base, NO_ALERTS) for _ in range(args.runs))
        engine = make_engine(f"sqlite:///{folder}/ambon.db")
        night = seed_flood_night(engine, datetime.utcnow().replace(microsecond=0))
        print(f"store: {night.alerts} alerts ({len(night.open_alert_ids)} open), {night.rts} RT, {night.warnings} RT warnings")
        cold = open_page(page, base)
        firsts, acks = [], []
        for _ in range(args.runs):
            firsts.append(open_page(page, base))
            acks.append(acknowledge_one(page))
        browser.close()
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures grow with it)")
        print(f"first data, no alerts in the store: median {empty:5.2f} s (the page itself)")
        print(f"first data, first view of the night: {cold:5.2f} s (the server fills its impact cache)")
        print(f"first data:     median {statistics.median(firsts):5.2f} s, max {max(firsts):5.2f} s  (goal < 2 s)")
        print(f"acknowledgement: median {statistics.median(acks):5.2f} s, max {max(acks):5.2f} s  (goal < 1 s)")
        runs = [server_parts(engine) for _ in range(args.runs)]
        print("server work per part of the page (median ms):")
        for name in runs[0]:
            print(f"  {name:>18}: {statistics.median(r[name] for r in runs):7.1f} ms")


if __name__ == "__main__":
    main()
