"""HTTP intake of gauge readings for BPBD flood warning, and the CSV upload the page calls.

POST /api/flood/readings takes a JSON list of rows ({"gauge", "time", "level_cm" and/or
"rain_mm_h"}; see `flood.ingest`) with the key in header X-API-Key. Answers: 401 without the right
key (or when no key is configured), 413 over `MAX_BODY_BYTES`, 400 when the body is not a JSON list
or any row was rejected (the good rows are still stored; the report says which), 200 otherwise.
Every answer with a report carries it in full, so a client knows the fate of each row.

GET /api/flood/alerts/<id>/cap.xml downloads an alert's CAP 1.2 message (404 for an unknown alert).
"""
from __future__ import annotations

import hmac
import json
from datetime import datetime
from functools import partial

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import Engine

from flood.ingest import IngestReport, rows_from_csv
from flood.store import read_cap
from flood.warn import AlertRules, record_readings
from i18n import reason

MAX_BODY_BYTES = 1_000_000
"""About 10,000 readings: a day of every gauge at one-minute steps, with room to spare."""
EXTENSION = "flood"

blueprint = Blueprint("flood", __name__)


def _utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def upload_readings_csv(engine: Engine, content: str | bytes, *, now: datetime | None = None, rules: AlertRules = AlertRules()) -> tuple[IngestReport, list[int]]:
    """Store readings from an uploaded CSV (header gauge,time,level_cm[,rain_mm_h]) and update alerts.

    Returns (report, new alert ids); raises ValueError for a file that is not such a CSV.
    """
    return record_readings(engine, rows_from_csv(content), source="csv", now=now or _utcnow(), rules=rules)


@blueprint.post("/api/flood/readings")
def post_readings():
    config = current_app.extensions[EXTENSION]
    given = request.headers.get("X-API-Key", "")
    if not config["api_key"] or not hmac.compare_digest(given.encode(), config["api_key"].encode()):
        return jsonify(error="missing or wrong X-API-Key"), 401
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return jsonify(error=f"body over {MAX_BODY_BYTES} bytes"), 413
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:  # chunked bodies have no Content-Length
        return jsonify(error=f"body over {MAX_BODY_BYTES} bytes"), 413
    try:
        rows = json.loads(body)
    except ValueError:
        return jsonify(error="body is not JSON"), 400
    if not isinstance(rows, list):
        return jsonify(error="body must be a JSON list of readings"), 400
    report, new_alerts = record_readings(config["engine"], rows, source="api", now=_utcnow())
    # the audit log records what came in, also when some rows were refused (routes.auth._audit_response)
    g.audit_detail = {"accepted": len(report.accepted), "merged": len(report.merged), "rejected": len(report.rejected)}
    payload = {**report.to_dict(partial(reason, "flood", lang="en")), "new_alerts": new_alerts}
    return jsonify(payload), (400 if report.rejected else 200)


@blueprint.get("/api/flood/alerts/<int:alert_id>/cap.xml")
def alert_cap(alert_id: int):
    xml = read_cap(current_app.extensions[EXTENSION]["engine"], alert_id)
    if xml is None:
        return jsonify(error=f"no CAP message for alert {alert_id}"), 404
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="bpbd-ambon-peringatan-{alert_id}-cap.xml"'
    return response


def init_flood_routes(server: Flask, engine: Engine, api_key: str = "") -> None:
    """Register the flood endpoints on the app's Flask server.

    `api_key` is Settings.flood_api_key (FLOOD_API_KEY); without one every POST is refused (401), so a
    forgotten key never leaves the endpoint open.
    """
    server.extensions[EXTENSION] = {"engine": engine, "api_key": api_key}
    server.register_blueprint(blueprint)
