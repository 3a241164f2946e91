"""Command line: load a layer of the city from a file into the store the app uses (DATABASE_URL).

    python -m imports.load LAYER FILE [--crs EPSG:32752] [--mapping name=NAMA_CCTV,heading_deg=ARAH]
                                    [--all-or-nothing] [--append | --replace] [--lang id]

LAYER: cameras, tps, businesses, complaints, rivers, flood_zones, watersheds, gauges, obstacles.
FILE: GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, CSV or XLSX with coordinate columns.
Without --mapping the suggested one is used (and printed). The row report follows: each row
repaired or refused, with its row number and why; then what was stored. Exit status 0 when rows
were stored, 1 when none could be taken (nothing stored), 2 when the file itself is refused.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from imports.commit import commit, remembered_mapping
from imports.prepare import prepare, suggest_mapping
from geo.reader import ImportRefused, read_path
from imports.report import refusal_text, report_lines
from imports.specs import SPECS


def parse_mapping(text: str | None) -> dict[str, str] | None:
    """"target=column,target=column" as a dict (None when not given)."""
    if not text:
        return None
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError("--mapping takes target=column pairs separated by commas")
    return {target.strip(): column.strip() for target, column in pairs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imports.load", description="Load a layer of the city from a file into the store.")
    parser.add_argument("layer", choices=list(SPECS))
    parser.add_argument("file")
    parser.add_argument("--crs", help="the file's CRS when it declares none (EPSG:4326, EPSG:32752, EPSG:4755 ...)")
    parser.add_argument("--mapping", help="target=file column pairs, comma-separated (default: suggested from the names)")
    parser.add_argument("--all-or-nothing", action="store_true", help="store nothing when any row is refused")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--append", dest="mode", action="store_const", const="append", help="add or update rows by key, delete none")
    mode.add_argument("--replace", dest="mode", action="store_const", const="replace", help="the file becomes the layer")
    parser.add_argument("--lang", choices=("id", "en"), default="en", help="language of the report (default en)")
    args = parser.parse_args(argv)

    from config import Settings
    from store.db import make_engine, upgrade_schema

    spec = SPECS[args.layer]
    try:
        mapping = parse_mapping(args.mapping)
        raw = read_path(args.file, crs=args.crs)
        engine = make_engine(Settings.from_env().database_url)
        upgrade_schema(engine)
        if mapping is None:
            mapping = suggest_mapping(raw.columns, spec, remembered_mapping(engine, args.layer))
        prepared = prepare(raw, spec, mapping)
    except ImportRefused as refused:
        print(f"error: {args.file}: {refusal_text(refused, args.lang)}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("mapping: " + ", ".join(f"{target}={column or '-'}" for target, column in prepared.mapping.items()))
    for row, status, reasons in report_lines(prepared, args.lang):
        print(f"row {row}: {status}: {reasons}")
    counts = prepared.counts
    print(f"{counts['taken']} taken, {counts['repaired']} repaired, {counts['refused']} refused of {len(prepared.report)} rows")
    try:
        done = commit(engine, prepared, username=f"cli:{getpass.getuser()}", source_name=args.file,
                      all_or_nothing=args.all_or_nothing, mode=args.mode)
    except ImportRefused as refused:
        print(f"error: {args.file}: {refusal_text(refused, args.lang)}", file=sys.stderr)
        return 1
    print(f"import #{done.import_id}: {done.inserted} inserted, {done.updated} updated, {done.deleted} deleted, "
          f"{done.kept_referenced} kept (still referred to)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
