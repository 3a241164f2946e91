"""BPBD page server work per tick, on the demo city in a fresh SQLite store.

    .venv/bin/python bench/flood.py

Plays the whole demo rain event through `flood.simulation` (one real "second" per 10-minute step)
and prints, in milliseconds (median over the steps): one simulator step (ingest + alert sync), the
tick's `board_versions`, and what a redraw reads: gauge status, watershed levels, the alerts board
with its warnings (a page of them), the history (a page, summarised), and one impact assessment (uncached).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.generator import build_demo_city  # noqa: E402
from demo.seed import write_demo_city  # noqa: E402
from flood import board, store  # noqa: E402
from flood.simulation import SPAN, STEP, advance_simulation, start_simulation  # noqa: E402
from store.db import create_schema, make_engine  # noqa: E402


def ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        create_schema(engine)
        write_demo_city(engine, build_demo_city(7))
        now = datetime(2026, 11, 1, 12, 0)
        start_simulation(engine, now, speed=STEP.total_seconds())
        figures: dict[str, list[float]] = {name: [] for name in ("step", "version", "gauges+sheds", "board", "history")}
        for second in range(1, SPAN // STEP + 2):
            tick = now + timedelta(seconds=second)
            figures["step"].append(ms(lambda: advance_simulation(engine, tick)))
            figures["version"].append(ms(lambda: board.board_versions(engine)))
            figures["gauges+sheds"].append(ms(lambda: board.watershed_levels(engine, board.gauge_status(engine))))

            def read_board():
                on_board = board.alerts_to_follow(engine)
                store.read_deliveries(engine, alert_ids=on_board.rows.id.tolist())

            def read_history():
                board.alert_history(engine)

            figures["board"].append(ms(read_board))
            figures["history"].append(ms(read_history))
        zones = max(store.read_alerts(engine, scenario=None).zone_ids, key=len)
        impact_ms = ms(lambda: board.alert_impact(engine, zones))
        print(f"steps played: {len(figures['step'])}, alerts: {len(store.read_alerts(engine, scenario=None))}, warnings: {len(store.read_deliveries(engine))}")
        for name, values in figures.items():
            print(f"{name:>13}: median {statistics.median(values):7.1f} ms, max {max(values):7.1f} ms")
        print(f"{'impact':>13}: {impact_ms:7.1f} ms for {len(zones)} zones (cached 10 minutes by the page)")


if __name__ == "__main__":
    main()
