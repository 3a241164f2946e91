"""Downloads of recommended camera sites: /api/coverage/<result id>.<geojson|gpkg|csv>?lang=id|en.

The browser only names a result the analysis kept (see planning.artifacts); the format, the id
and the language are checked here, whatever the page sent.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Flask, abort, request, send_file

from geo.export import write_any
from i18n import normalise_language
from planning.artifacts import ARTIFACT_ID, ArtifactStore

EXPORT_MIMETYPES = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3", "csv": "text/csv"}


def init_coverage_routes(server: Flask, artifacts: ArtifactStore) -> None:
    bp = Blueprint("coverage", __name__)

    @bp.get("/api/coverage/<result_id>.<fmt>")
    def export_sites(result_id: str, fmt: str):
        if fmt not in EXPORT_MIMETYPES or not ARTIFACT_ID.match(result_id):
            abort(404, description="No such export")
        sites = artifacts.get(result_id)
        if sites is None:
            abort(404, description="This result has expired; run the analysis again")
        lang = normalise_language(request.args.get("lang"))
        # one reason column, in the language asked for
        other_reasons = [c for c in sites.columns if c.startswith("reason_") and c != f"reason_{lang}"]
        sites = sites.drop(columns=other_reasons).rename(columns={f"reason_{lang}": "reason"})
        with tempfile.TemporaryDirectory(prefix="export-") as folder:
            path = write_any(sites, Path(folder) / f"sites.{fmt}")
            data = path.read_bytes()
        name = ("lokasi-kamera-baru" if lang == "id" else "new-camera-sites") + f".{fmt}"
        return send_file(io.BytesIO(data), mimetype=EXPORT_MIMETYPES[fmt], as_attachment=True, download_name=name)

    server.register_blueprint(bp)
