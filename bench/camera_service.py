"""The camera service scaled out, measured for real: processes, sockets and Redis.

    .venv/bin/python bench/camera_service.py                  # every part
    .venv/bin/python bench/camera_service.py --part encoded --cameras 200 [--codec h264] [--live]
    .venv/bin/python bench/camera_service.py --part viewers --window 15
    .venv/bin/python bench/camera_service.py --part takeover --cameras 200

Part "viewers": one `python -m cameras.service` (37 cameras: 36 demo ones and camera 1, an HTTP
MJPEG camera served by this script at 640x360, 15 fps) and `gunicorn -w 4 --threads 16 app:server`
with CAMERA_READERS=0, all on Redis. 0, 5, 10 and 20 operators watch camera 1's live view through
the workers (each stream its own login session, spread by the kernel over the four workers). Per
step it prints the connections the camera saw (total and at most at once), the CPU (% of one core)
of the service and of the four workers over the window, frames each viewer received per second,
and the viewers the camera's health record counts.

Part "takeover": two service instances share N demo cameras (CAMERA_THUMBNAIL_S, default 5 s);
one is killed (SIGKILL, no clean hand-back); prints how the cameras were split and the seconds
until every camera of the killed instance shows a thumbnail made by the survivor (goal: within two
thumbnail periods), and the service CPU per camera.

Part "encoded": N cameras that are real 720p25 streams, MPEG-4 Part 2 or (`--codec h264`) H.264 with
a key frame every 2 s as IP cameras send (a clip this script writes, played as local files: the
decoder's work without the network), nobody watching, so each thumbnail decodes one key frame; prints
the service's CPU (goal: 200 cameras at 5-s thumbnails under 2 cores) and how fresh the thumbnails stay.
With `--live` the N cameras are one live H.264 RTSP camera at 720p25 (the tests' GStreamer server, a
moving test pattern, a key frame every 2 s), each camera opening it anew for each thumbnail.

Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/0). Figures are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cameras.service import demo_specs, redis_prefix  # noqa: E402
from tests.conftest import RTSP_HELPER, SYSTEM_PYTHON, _free_port, login_opener  # noqa: E402
from tests.helpers.clips import write_h264, write_mpeg4  # noqa: E402
from tests.helpers.mjpeg_server import MjpegServer  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path):
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def wait_for(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def wait_for_login(base: str, timeout: float) -> None:
    """Until the web workers at `base` let an operator log in (they seed the demo city first)."""

    def answers() -> bool:
        try:
            login_opener(base)
            return True
        except OSError:
            return False
    wait_for(answers, timeout, "the web workers")


def cached(client, prefix: str, key: str):
    raw = client.get(redis_prefix(prefix) + key)
    return pickle.loads(raw[1:]) if raw else None  # cachelib's Redis format: "!" + pickle


def viewers_part(window: float, steps: list[int]) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"bench-{uuid.uuid4().hex[:6]}:"
    with tempfile.TemporaryDirectory() as tmp, MjpegServer() as camera, ExitStack() as stack:
        tmp_path = Path(tmp)
        specs = [{"id": 1, "name": "Jalan Pattimura", "kind": "road", "stream_url": camera.url("/stream?fps=15&w=640&h=360")}]
        specs += [dict(s, id=s["id"] + 1) for s in demo_specs(36)]
        (tmp_path / "cameras.json").write_text(json.dumps(specs))
        env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "INSTANCE_DIR": str(tmp_path), "TILE_URL": "",
               "CAMERA_NETWORKS": "127.0.0.0/8"}
        service = stack.enter_context(process([sys.executable, "-m", "cameras.service", "--specs", str(tmp_path / "cameras.json")],
                                              env, tmp_path / "service.log"))
        port = _free_port()
        web = stack.enter_context(process([sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "16", "-b", f"127.0.0.1:{port}",
                                           "app:server"], {**env, "CAMERA_READERS": "0"}, tmp_path / "web.log"))
        base = f"http://127.0.0.1:{port}"

        wait_for_login(base, 180)
        wait_for(lambda: all(cached(client, prefix, f"thumb:{c}") for c in range(1, 38)), 60, "37 thumbnails")
        workers = [p.pid for p in psutil.Process(web.pid).children()]
        print(f"service pid {service.pid}, 4 web workers {workers}, camera 1 = MJPEG 640x360 15 fps served here; window {window:g} s")
        print(f"{'viewers':>7} {'cam conns':>9} {'max open':>8} {'service %cpu':>12} {'workers %cpu':>12} {'fps/viewer':>10} {'health viewers':>14}")
        openers = [login_opener(base) for _ in range(max(steps))]
        streams: list = []
        counts: list[int] = []
        stop = threading.Event()

        def watch(response, i: int) -> None:
            while not stop.is_set():
                try:
                    chunk = response.read1(65536)
                except (AttributeError, OSError, ValueError):  # closed by the main thread at the end
                    return
                if not chunk:
                    return
                counts[i] += chunk.count(b"--frame")

        threads: list[threading.Thread] = []
        for n in steps:
            while len(streams) < n:
                i = len(streams)
                counts.append(0)
                response = openers[i].open(f"{base}/cameras/1/live.mjpg", timeout=30)
                streams.append(response)
                threads.append(threading.Thread(target=watch, args=(response, i), daemon=True))
                threads[-1].start()
            time.sleep(3.0)  # the bench (not a test) lets the step settle before measuring
            conns0, c0 = camera.connections["/stream"], list(counts)
            camera.max_open_streams = camera.open_streams
            s0, w0, t0 = cpu_of([service.pid]), cpu_of(workers), time.monotonic()
            time.sleep(window)
            dt = time.monotonic() - t0
            s1, w1 = cpu_of([service.pid]), cpu_of(workers)
            health = cached(client, prefix, "health:1") or {}
            fps = sum(counts[i] - c0[i] for i in range(n)) / n / dt if n else 0.0
            print(f"{n:>7} {camera.connections['/stream'] - conns0:>9} {camera.max_open_streams:>8} {100 * (s1 - s0) / dt:>12.1f} "
                  f"{100 * (w1 - w0) / dt:>12.1f} {fps:>10.1f} {health.get('viewers', '?'):>14}")
        print(f"camera 1: {camera.connections['/stream']} connections in all since start (thumbnails reopen it while nobody watches)")
        stop.set()
        for response in streams:
            response.close()
        t_left = time.monotonic()
        wait_for(lambda: camera.open_streams == 0, 60, "the camera's stream to close")
        print(f"after the viewers left, the camera's stream closed within {time.monotonic() - t_left:.1f} s")
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def takeover_part(n: int, period: float) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"bench-{uuid.uuid4().hex[:6]}:"
    ids = range(1, n + 1)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "INSTANCE_DIR": tmp, "CAMERA_THUMBNAIL_S": str(period)}
        a = stack.enter_context(process([sys.executable, "-m", "cameras.service", "--demo", str(n)], env, Path(tmp) / "a.log"))
        b = stack.enter_context(process([sys.executable, "-m", "cameras.service", "--demo", str(n)], env, Path(tmp) / "b.log"))

        def holders():
            values = client.mget([f"{redis_prefix(prefix)}lease:{c}" for c in ids])
            return None if None in values else {c: v.decode() for c, v in zip(ids, values)}

        t0 = time.monotonic()
        split = wait_for(lambda: (h := holders()) and len(set(h.values())) == 2 and h, 120, "two instances sharing the cameras")
        print(f"{n} demo cameras, thumbnails every {period:g} s: shared by two instances after {time.monotonic() - t0:.1f} s")
        by = {t: sum(1 for v in split.values() if v == t) for t in set(split.values())}
        print("  split: " + ", ".join(f"{t}: {k}" for t, k in by.items()))
        wait_for(lambda: all(cached(client, prefix, f"thumb:{c}") for c in ids), 60, "every thumbnail")
        time.sleep(2 * period)
        ca, cb, tc = cpu_of([a.pid]), cpu_of([b.pid]), time.monotonic()
        time.sleep(3 * period)
        dt = time.monotonic() - tc
        print(f"  service CPU: {100 * (cpu_of([a.pid]) - ca) / dt:.1f} % + {100 * (cpu_of([b.pid]) - cb) / dt:.1f} % of one core "
              f"({100 * (cpu_of([a.pid, b.pid]) - ca - cb) / dt / n:.2f} % per camera)")
        killed = [c for c, t in split.items() if f":{a.pid}:" in t]
        survivor = next(t for t in split.values() if f":{a.pid}:" not in t)
        a.send_signal(signal.SIGKILL)
        killed_at, t_kill = time.time(), time.monotonic()
        pending = set(killed)
        first = None
        while pending and time.monotonic() - t_kill < 10 * period:
            for c in list(pending):
                thumb = cached(client, prefix, f"thumb:{c}")
                if thumb and thumb["by"] == survivor and thumb["ts"] > killed_at:
                    pending.discard(c)
                    first = first or time.monotonic() - t_kill
            time.sleep(0.05)
        took = time.monotonic() - t_kill
        print(f"  killed one instance (SIGKILL, {len(killed)} cameras): first taken-over thumbnail after {first or float('nan'):.1f} s, "
              f"all {len(killed) - len(pending)} after {took:.1f} s = {took / period:.2f} thumbnail periods (goal ≤ 2)")
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@contextmanager
def rtsp_camera(width: int, height: int, fps: int, key_interval: int):
    """A live H.264 RTSP camera (the tests' GStreamer server, a moving test pattern): its URL and process."""
    proc = subprocess.Popen([SYSTEM_PYTHON, str(RTSP_HELPER), str(width), str(height), str(fps), str(key_interval)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port, *mounts = proc.stdout.readline().split()[1:]
        if "/h264" not in mounts:
            raise SystemExit("the RTSP test server has no H.264 encoder (Debian gstreamer1.0-plugins-bad)")
        yield f"rtsp://127.0.0.1:{port}/h264", proc
    finally:
        proc.stdin.close()  # the server exits when its stdin closes
        proc.wait(15)


def encoded_part(n: int, period: float, codec: str = "mpeg4", live: bool = False) -> None:
    """n cameras that are real 720p25 streams, thumbnails every `period` s, nobody watching: local
    files (FFmpeg decodes them as it would a network stream, without the network) or, `live`, one
    H.264 RTSP camera that each of the n opens anew for each thumbnail."""
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"bench-{uuid.uuid4().hex[:6]}:"
    ids = range(1, n + 1)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        media = Path(tmp) / "media"
        media.mkdir()
        helper = None
        if live:
            url, helper = stack.enter_context(rtsp_camera(1280, 720, 25, 50))
            what = "live RTSP H.264 720p25 cameras (a test pattern, a key frame every 2 s)"
        elif codec == "h264":
            url = str(write_h264(media / "clip.mp4", frames=200))  # 8 s at 25 fps, a key frame every 2 s
            what = "H.264 720p25 cameras (files, a key frame every 2 s)"
        else:
            url = str(write_mpeg4(media / "clip.mp4", frames=200))
            what = "MPEG-4 720p25 cameras (files, a key frame every 12 frames)"
        specs = [{"id": i, "name": f"Kamera {i}", "kind": "road", "stream_url": url} for i in ids]
        (Path(tmp) / "cameras.json").write_text(json.dumps(specs))
        env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "INSTANCE_DIR": tmp, "MEDIA_DIR": str(media),
               "CAMERA_THUMBNAIL_S": str(period), "CAMERA_NETWORKS": "127.0.0.0/8"}
        svc = stack.enter_context(process([sys.executable, "-m", "cameras.service", "--specs", str(Path(tmp) / "cameras.json")],
                                          env, Path(tmp) / "service.log"))
        keys = [redis_prefix(prefix) + f"thumb:{c}" for c in ids]

        def stamps() -> list[float | None]:
            return [pickle.loads(raw[1:])["ts"] if raw else None for raw in client.mget(keys)]

        t0 = time.monotonic()
        wait_for(lambda: None not in stamps(), 300, "every thumbnail")
        print(f"{n} {what}, thumbnails every {period:g} s: all thumbnails after {time.monotonic() - t0:.1f} s")
        time.sleep(period)  # the start-up burst passes
        c0, h0, tc = cpu_of([svc.pid]), cpu_of([helper.pid] if helper else []), time.monotonic()
        ages: list[float] = []
        made, last = 0, stamps()
        while time.monotonic() - tc < 4 * period:  # sampled twice a second
            time.sleep(0.5)
            now, current = time.time(), stamps()
            made += sum(1 for a, b in zip(last, current) if b != a)
            ages += [now - ts for ts in current]
            last = current
        dt = time.monotonic() - tc
        cores = (cpu_of([svc.pid]) - c0) / dt
        ages.sort()
        print(f"  service CPU {cores:.2f} cores ({1000 * cores / n:.1f} millicores per camera; goal: under 2 cores for 200); "
              f"{made / dt:.1f} thumbnails/s of {n / period:.0f} due; thumbnail age p50 {ages[len(ages) // 2]:.1f} s, "
              f"p95 {ages[len(ages) * 95 // 100]:.1f} s, max {ages[-1]:.1f} s (sampled every 0.5 s for {dt:.0f} s)")
        # what a thumbnail costs does not depend on how much of the shared machine the service got
        per_thumb = cores * dt / max(made, 1)
        print(f"  {1000 * per_thumb:.1f} ms of CPU per thumbnail: {per_thumb * n / period:.2f} cores for all {n} at the full rate")
        if helper:
            print(f"  the RTSP camera (GStreamer, encoding and serving every connection): {(cpu_of([helper.pid]) - h0) / dt:.2f} cores")
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("viewers", "takeover", "encoded", "all"), default="all")
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured per viewer step")
    parser.add_argument("--viewers", default="0,5,10,20")
    parser.add_argument("--cameras", type=int, default=200, help="demo cameras of the takeover part")
    parser.add_argument("--period", type=float, default=5.0, help="thumbnail period of the takeover and encoded parts (s)")
    parser.add_argument("--live", action="store_true",
                        help="the encoded part's cameras open one live H.264 RTSP camera (GStreamer, Debian python3-gi) instead of files")
    parser.add_argument("--codec", choices=("mpeg4", "h264"), default="mpeg4",
                        help="the encoded part's streams: MPEG-4 Part 2 (OpenCV's writer) or H.264 (libx264 through PyAV)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (shared: figures are noisy)")
    if args.part in ("viewers", "all"):
        viewers_part(args.window, [int(v) for v in args.viewers.split(",")])
    if args.part in ("takeover", "all"):
        takeover_part(args.cameras, args.period)
    if args.part in ("encoded", "all"):
        encoded_part(args.cameras, args.period, args.codec, args.live)


if __name__ == "__main__":
    main()
