"""Service monitor benchmark: N services checked every I seconds, CPU of the monitor's process.

    .venv/bin/python bench/monitor.py                       # 300 services at 30 s, 90 s measured
    .venv/bin/python bench/monitor.py --services 300 --interval 30 --seconds 120 --database postgresql://postgres@127.0.0.1/postgres

The services are real: HTTP checks of a local server run in another process (so its CPU is not
counted), plus some TCP and DNS checks; every result is stored (SQLite in a temporary folder by
default). After a warm-up of one interval, it prints checks per second, the CPU seconds the
process used per wall second (as % of one core: the goal is under 5 %), RSS memory, and the
checks stored. Figures are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from monitor.lease import FileLease  # noqa: E402
from monitor.models import MonitoredService, ServiceCheck  # noqa: E402
from monitor.runner import Monitor  # noqa: E402
from monitor.safety import TargetPolicy  # noqa: E402
from store.db import create_schema, make_engine  # noqa: E402

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = b"<h1>Layanan aktif</h1>"
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
class S(ThreadingHTTPServer):
    def handle_error(self, request, client_address): pass  # TCP checks connect and hang up at once
s = S(("127.0.0.1", 0), H); s.daemon_threads = True
print(s.server_address[1], flush=True); s.serve_forever()
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--interval", type=int, default=30, help="seconds between two checks of a service")
    parser.add_argument("--seconds", type=float, default=90, help="measured time after the warm-up")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.database or f"sqlite:///{folder}/bench.db")
        create_schema(engine)
        now = datetime.utcnow()
        rows = []
        for i in range(args.services):
            kind, target = ("http", f"http://127.0.0.1:{port}/layanan/{i}")
            if i % 30 == 1:
                kind, target = "tcp", f"127.0.0.1:{port}"
            elif i % 30 == 2:
                kind, target = "dns", "localhost"
            rows.append({"name": f"bench-{i}-{now.timestamp()}", "kind": kind, "target": target, "interval_s": args.interval,
                         "timeout_s": 10.0, "failures_before_down": 3, "public": True, "enabled": True, "created_at": now,
                         "keyword": "Layanan" if i % 2 == 0 and kind == "http" else None})
        with engine.begin() as conn:
            conn.execute(MonitoredService.__table__.insert(), rows)
        monitor = Monitor(engine, FileLease(Path(folder) / "lease"), policy=TargetPolicy(allow_loopback=True)).start()
        try:
            time.sleep(args.interval)  # warm-up: the first round, connections opened
            cpu0, wall0, checks0 = cpu_seconds(), time.monotonic(), monitor.checks_done
            time.sleep(args.seconds)
            cpu, wall, checks = cpu_seconds() - cpu0, time.monotonic() - wall0, monitor.checks_done - checks0
        finally:
            monitor.stop()
            server.terminate()
            server.wait(5)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(ServiceCheck))
            failed = conn.scalar(select(func.count()).select_from(ServiceCheck).where(ServiceCheck.ok.is_(False)))
        rss = psutil.Process().memory_info().rss / 2**20
        print(f"services={args.services} interval={args.interval}s measured={wall:.0f}s db={engine.dialect.name}")
        print(f"checks/s={checks / wall:.2f} (expected {args.services / args.interval:.2f})  "
              f"cpu={100 * cpu / wall:.2f} % of one core  rss={rss:.0f} MiB  stored={stored} failed={failed}")


if __name__ == "__main__":
    main()
