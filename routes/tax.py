"""Restaurant tax over HTTP: tapping boxes post their sales, the /pajak map and the field-visit exports.

POST /api/tax/transactions takes a JSON list of sales ({"device", "receipt", "time", "amount"}; or
{"transactions": [...]}) with the device's key in header X-Device-Key. Answers: 401 without a key,
413 over MAX_BODY_BYTES, 400 when the body is not such JSON or a row was rejected, 200 otherwise;
every answer with a report carries it (accepted, duplicate and rejected rows with their reasons).
Good rows are stored even when others are rejected (a box resends whatever it did not get
confirmed; a duplicate is reported and counted once).

GET /api/tax/layer.geojson: the taxpayers with the worst open flag of each (permission "tax", audited).
GET /api/tax/cases.csv|.xlsx?month=YYYY-MM: the follow-up list for field visits (audited).
"""
from __future__ import annotations

import io
import json
from datetime import date, datetime
from functools import partial

import geopandas as gpd
import pandas as pd
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import Engine

from routes.auth import audit_event
from geo.crs import WGS84
from geo.geojson import to_geojson_bytes
from i18n import reason, t
from i18n.tax import explain
from routes.language import request_language
from tax import cases
from tax.store import ingest_transactions, read_taxpayers

MAX_BODY_BYTES = 2_000_000
"""About 20,000 sales: a day of a busy restaurant many times over."""
EXTENSION = "tax"
API_REASON = partial(reason, "tax", lang="en")
"""The API's words for why a row was refused (English, as every API answer here)."""

blueprint = Blueprint("tax", __name__)


def _utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


@blueprint.post("/api/tax/transactions")
def post_transactions():
    engine = current_app.extensions[EXTENSION]["engine"]
    key = request.headers.get("X-Device-Key", "")
    if not key:
        return jsonify(error="missing X-Device-Key"), 401
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return jsonify(error=f"body over {MAX_BODY_BYTES} bytes"), 413
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        return jsonify(error=f"body over {MAX_BODY_BYTES} bytes"), 413
    try:
        rows = json.loads(body)
    except ValueError:
        return jsonify(error="body is not JSON"), 400
    if isinstance(rows, dict):
        rows = rows.get("transactions")
    if not isinstance(rows, list):
        return jsonify(error="body must be a JSON list of transactions"), 400
    report = ingest_transactions(engine, rows, now=_utcnow(), key=key)
    if report.rejected and not report.accepted and not report.duplicate and all(o.code == "unknown_device" for o in report.rejected):
        return jsonify(report.to_dict(API_REASON)), 401
    return jsonify(report.to_dict(API_REASON)), (400 if report.rejected else 200)


def taxpayer_layer(engine: Engine) -> bytes:
    """GeoJSON of every taxpayer: id, name, category and `flag`, the worst open flag kind ("" for none)."""
    taxpayers = read_taxpayers(engine)
    worst = cases.worst_open_flags(engine)
    taxpayers["flag"] = taxpayers["id"].map(worst).fillna("")
    layer = gpd.GeoDataFrame(taxpayers, geometry=gpd.points_from_xy(taxpayers["lon"], taxpayers["lat"]), crs=WGS84)
    return to_geojson_bytes(layer, ["id", "name", "category", "flag"])


@blueprint.get("/api/tax/layer.geojson")
def layer():
    audit_event("tax.map", None)  # which businesses are flagged is itself a taxpayer figure
    response = Response(taxpayer_layer(current_app.extensions[EXTENSION]["engine"]), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "private, no-store"  # confidential, and it changes as cases close
    return response


def map_link(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def case_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The follow-up list as officers read it (columns named in `lang`, amounts in whole rupiah)."""
    col = lambda key: t(f"tax.col.{key}", lang)  # noqa: E731
    return pd.DataFrame({
        col("rank"): range(1, len(frame) + 1),
        col("business"): frame["name"], col("npwpd"): frame["tax_id"], col("address"): frame["address"],
        col("kind"): [t(f"tax.flag.{k}", lang) for k in frame["kind"]],
        col("explanation"): [explain(k, f, lang) for k, f in zip(frame["kind"], frame["facts"])],
        col("at_stake"): frame["at_stake_idr"].astype("int64"),
        col("officer"): frame["officer"].fillna(""), col("status"): [t(f"tax.status.{s}", lang) for s in frame["status"]],
        col("due"): [d.isoformat() if d else "" for d in frame["due_on"]], col("notes"): frame["notes"],
        col("map"): [map_link(lat, lon) for lat, lon in zip(frame["lat"], frame["lon"])],
    })


@blueprint.get("/api/tax/cases.<fmt>")
def export_cases(fmt: str):
    if fmt not in ("csv", "xlsx"):
        return jsonify(error="csv or xlsx"), 404
    try:
        month = datetime.strptime(request.args.get("month", ""), "%Y-%m").date()
    except ValueError:
        return jsonify(error="month=YYYY-MM needed"), 400
    open_only = request.args.get("open") == "1"
    frame = cases.read_cases(current_app.extensions[EXTENSION]["engine"], month=month, open_only=open_only, with_open_silent=True)
    table = case_table(frame, request_language())
    audit_event("export.tax_cases", month.strftime("%Y-%m"), {"format": fmt, "rows": len(table), "open_only": open_only})
    name = f"bpprd-ambon-tindak-lanjut-{month:%Y-%m}.{fmt}"
    if fmt == "csv":
        body, mimetype = table.to_csv(index=False).encode("utf-8-sig"), "text/csv"
    else:
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False, sheet_name=month.strftime("%Y-%m"))
        body, mimetype = buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_tax_routes(server: Flask, engine: Engine) -> None:
    """Register the tax endpoints on the app's Flask server."""
    server.extensions[EXTENSION] = {"engine": engine}
    server.register_blueprint(blueprint)


def month_of(text: str | None) -> date | None:
    """"2026-10" (or "2026-10-01") as the month's first day; None for anything else."""
    try:
        return datetime.strptime((text or "")[:7], "%Y-%m").date()
    except ValueError:
        return None
