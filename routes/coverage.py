"""Downloads of recommended camera sites: /api/coverage/<result id>.<geojson|gpkg|csv>?lang=id|en.

The browser only names a result the analysis kept (see planning.artifacts); the format, the id
and the language are checked here, whatever the page sent.

A download is read by people (in a spreadsheet or QGIS), so its columns are named in the language
asked for, with their units (peringkat, indeks_kandidat, bobot_tambahan_poin, alasan; desa and
kecamatan are the same words in both). That is not
the contract of `python -m geo.recommend`, whose English columns (rank, candidate_index,
marginal_weight) scripts rely on and which stays as geo.export writes it. CSV coordinates are
`lon`/`lat` (WGS 84 degrees) in both languages: the names GIS tools and this app's own upload
(planning.uploads) recognise, so a download can be loaded again as it is.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Flask, abort, request, send_file

from geo.export import write_any
from i18n import normalise_language, t
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
        # one reason column, in the language asked for, and every column named in it
        other_reasons = [c for c in sites.columns if c.startswith("reason_") and c != f"reason_{lang}"]
        sites = sites.drop(columns=other_reasons).rename(columns={
            "rank": t("cov.file.rank", lang), "candidate_index": t("cov.file.candidate_index", lang),
            "marginal_weight": t("cov.file.marginal_weight", lang), f"reason_{lang}": t("cov.file.reason", lang),
            "heading_deg": t("cov.file.heading_deg", lang)})
        with tempfile.TemporaryDirectory(prefix="export-") as folder:
            path = write_any(sites, Path(folder) / f"sites.{fmt}")
            data = path.read_bytes()
        name = ("lokasi-kamera-baru" if lang == "id" else "new-camera-sites") + f".{fmt}"
        return send_file(io.BytesIO(data), mimetype=EXPORT_MIMETYPES[fmt], as_attachment=True, download_name=name)

    server.register_blueprint(bp)
