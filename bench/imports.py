"""Layer import speed: 100,000 points from a CSV, previewed and committed.

    .venv/bin/python bench/imports.py [--rows 100000] [--database-url URL]

Writes a CSV of TPS-like points inside Ambon (semicolons, decimal commas, Indonesian column names,
1 % bad rows), then prints: the time to preview it (read the bytes, suggest the mapping, check
every row and build the row report), the time to commit it (desa and kecamatan of every point,
the previous layer kept for undo, inserts in one transaction) into a store holding the real desa,
and the time to undo it. Goals (issue 13): preview under 3 s, commit under 20 s.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.generator import build_admin_areas  # noqa: E402
from geo.crs import WGS84  # noqa: E402
from imports.commit import commit, undo  # noqa: E402
from imports.prepare import prepare, suggest_mapping  # noqa: E402
from geo.reader import read_bytes  # noqa: E402
from imports.specs import SPECS  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.layers import write_features  # noqa: E402
from store.models import AdminArea  # noqa: E402


def csv_bytes(rows: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(128.15, 128.25, rows)
    lat = rng.uniform(-3.72, -3.64, rows)
    capacity = rng.choice(["6", "8,5", "10", "14"], rows)
    lines = ["Nama TPS;Lintang;Bujur;Kapasitas (m3)"]
    for i in range(rows):
        if i % 100 == 99:
            lines.append(f"TPS {i};-6,2;106,8;{capacity[i]}")  # a point in Jakarta: refused
        else:
            lines.append(f"TPS {i};{lat[i]:.6f};{lon[i]:.6f};{capacity[i]}".replace(".", ","))
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    data = csv_bytes(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.database_url or f"sqlite:///{folder}/bench.db")
        upgrade_schema(engine)
        kecamatan, desa = build_admin_areas()
        write_features(engine, AdminArea, desa.to_crs(WGS84))
        spec = SPECS["tps"]

        start, cpu = time.perf_counter(), time.process_time()
        raw = read_bytes(data)
        read_s = time.perf_counter() - start
        prepared = prepare(raw, spec, suggest_mapping(raw.columns, spec))
        preview_s, preview_cpu = time.perf_counter() - start, time.process_time() - cpu

        start, cpu = time.perf_counter(), time.process_time()
        done = commit(engine, prepared, username="bench", source_name="bench.csv")
        commit_s, commit_cpu = time.perf_counter() - start, time.process_time() - cpu

        start, cpu = time.perf_counter(), time.process_time()
        undo(engine, done.import_id, username="bench")
        undo_s, undo_cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = prepared.counts
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB CSV on {engine.dialect.name}: "
          f"{counts['taken']:,} taken, {counts['repaired']:,} repaired, {counts['refused']:,} refused")
    print("wall-clock seconds (CPU seconds of this process: the machine may be shared)")
    print(f"preview {preview_s:.2f} s ({preview_cpu:.2f} s CPU; read {read_s:.2f} s)   goal < 3 s")
    print(f"commit  {commit_s:.2f} s ({commit_cpu:.2f} s CPU; {done.inserted:,} inserted)   goal < 20 s")
    print(f"undo    {undo_s:.2f} s ({undo_cpu:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
