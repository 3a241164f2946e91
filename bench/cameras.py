"""Camera layer benchmark: N demo cameras with V simultaneous live viewers.

    .venv/bin/python bench/cameras.py                         # N in 37,100,200 × V in 1,10,50
    .venv/bin/python bench/cameras.py --cameras 200 --viewers 50 --duration 30

Per cell it prints: CPU seconds per camera per minute (whole process: readers, thumbnails, viewers),
RSS memory, thumbnail staleness p50/p95 (age of each camera's cached thumbnail, sampled every
0.25 s), live frames delivered per second (sum over viewers) and frames decoded for the live
cameras (which must not grow with V: one decode fans out to every viewer).
Viewers go through the same MJPEG generator as the /cameras/<id>/live.mjpg route.
Goal: 200 demo cameras with 5-s thumbnails within one core (≤ 60 CPU s per minute in total,
i.e. ≤ 0.3 CPU s per camera per minute).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cameras import CameraManager, CameraSettings  # noqa: E402


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def run_cell(n: int, v: int, duration: float, period: float, live_cameras: int, warmup: float) -> dict:
    rows = [{"id": i, "name": f"Demo {i}", "kind": ("road", "river", "tps")[i % 3], "stream_url": f"demo://{i}"}
            for i in range(1, n + 1)]
    tmp = tempfile.mkdtemp(prefix="bench-cams-")
    settings = CameraSettings(thumbnail_period_s=period, snapshot_dir=Path(tmp), sync_interval_s=0)
    manager = CameraManager(lambda: rows, settings=settings).start()
    stop = threading.Event()
    delivered = [0] * v

    def viewer(idx: int) -> None:
        cam = 1 + idx % live_cameras
        stream = manager.live_stream(cam, max_seconds=None)
        try:
            for _part in stream:
                delivered[idx] += 1
                if stop.is_set():
                    break
        finally:
            stream.close()

    threads = [threading.Thread(target=viewer, args=(i,), daemon=True) for i in range(v)]
    for t in threads:
        t.start()
    time.sleep(warmup)  # first thumbnails of every camera, viewers attached
    ages: list[float] = []
    keys = [manager.keys.thumb(i) for i in range(1, n + 1)]
    live_decoded0 = sum(manager.reader(1 + i).decoded for i in range(live_cameras))
    d0 = list(delivered)
    c0, t0 = cpu_seconds(), time.monotonic()
    while time.monotonic() - t0 < duration:
        now = time.time()
        for k in keys:
            rec = manager.cache.get(k)
            ages.append(now - rec["ts"] if rec else float("inf"))
        time.sleep(0.25)
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds() - c0
    frames = sum(delivered) - sum(d0)
    live_decoded = sum(manager.reader(1 + i).decoded for i in range(live_cameras)) - live_decoded0
    rss = psutil.Process(os.getpid()).memory_info().rss
    stop.set()
    for t in threads:
        t.join(5)
    manager.stop()
    return {
        "cameras": n,
        "viewers": v,
        "cpu_s_per_cam_min": cpu / n / (elapsed / 60),
        "cpu_cores": cpu / elapsed,
        "rss_mb": rss / 2**20,
        "stale_p50": percentile(ages, 50),
        "stale_p95": percentile(ages, 95),
        "live_fps_delivered": frames / elapsed,
        "live_decoded_fps": live_decoded / elapsed,
        "threads": threading.active_count(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cameras", default="37,100,200", help="comma-separated N values")
    ap.add_argument("--viewers", default="1,10,50", help="comma-separated V values")
    ap.add_argument("--duration", type=float, default=10.0, help="measured seconds per cell")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    ap.add_argument("--thumb-period", type=float, default=5.0)
    ap.add_argument("--live-cameras", type=int, default=1, help="viewers are spread over this many cameras")
    args = ap.parse_args()
    print(f"cpus={os.cpu_count()} duration={args.duration}s thumb_period={args.thumb_period}s "
          f"live_cameras={args.live_cameras}", flush=True)
    header = (f"{'N':>4} {'V':>3} {'cpu s/cam/min':>13} {'cores':>6} {'RSS MB':>7} {'stale p50':>9} "
              f"{'stale p95':>9} {'live fps out':>12} {'live decoded fps':>16}")
    print(header)
    for n in [int(x) for x in args.cameras.split(",")]:
        for v in [int(x) for x in args.viewers.split(",")]:
            r = run_cell(n, v, args.duration, args.thumb_period, args.live_cameras, args.warmup)
            print(f"{r['cameras']:>4} {r['viewers']:>3} {r['cpu_s_per_cam_min']:>13.3f} {r['cpu_cores']:>6.2f} "
                  f"{r['rss_mb']:>7.0f} {r['stale_p50']:>8.2f}s {r['stale_p95']:>8.2f}s "
                  f"{r['live_fps_delivered']:>12.1f} {r['live_decoded_fps']:>16.1f}", flush=True)


if __name__ == "__main__":
    main()
