"""Downloads of every importable layer: /api/export/<layer>.<geojson|gpkg|csv|xlsx>.

Each layer needs the permission its spec names (imports.specs: cameras "camera", gauges "flood",
obstacles "coverage", the others "map"), checked here whatever the page showed. Complaints come
within the account's agency scope and without the reporter's name and phone unless the role holds
"complaints"; camera stream URLs (which may carry a password) only for admins. Every download is
in the audit log.
"""
from __future__ import annotations

import io

from flask import Blueprint, Flask, abort, send_file
from sqlalchemy import Engine

from auth.policy import PERSONAL_COMPLAINT_FIELDS
from routes.auth import audit_event, current_account
from imports.export import FORMATS, export_bytes, layer_frame
from imports.specs import SPECS


def init_export_routes(server: Flask, engine: Engine) -> None:
    bp = Blueprint("exports", __name__)

    @bp.get("/api/export/<layer>.<fmt>")
    def export_layer(layer: str, fmt: str):
        if layer not in SPECS or fmt not in FORMATS:
            abort(404, description="No such layer or format")
        account = current_account()
        spec = SPECS[layer]
        if account is None or not account.can(spec.permission):
            abort(403, description="Your role may not export this layer")
        hidden: tuple[str, ...] = ()
        if layer == "complaints" and not account.can("complaints"):
            hidden = PERSONAL_COMPLAINT_FIELDS
        if layer == "cameras" and not account.can("admin"):
            hidden = ("stream_url",)
        frame = layer_frame(engine, layer, drop=hidden)
        scope = account.complaint_scope if layer == "complaints" else None
        if scope is not None:
            frame = frame[frame["agency"] == scope]
        audit_event(f"export.{layer}", fmt, {"rows": len(frame)})
        media_type, extension = FORMATS[fmt]
        return send_file(io.BytesIO(export_bytes(frame, layer, fmt)), mimetype=media_type, as_attachment=True,
                         download_name=f"{layer}.{extension}")

    server.register_blueprint(bp)
