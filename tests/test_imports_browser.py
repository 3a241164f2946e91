"""The admin's layer import in a real Chromium: a CSV with Indonesian column names uploaded,
previewed on the map with its row report and suggested mapping, committed, exported, and undone."""
from __future__ import annotations

import pytest

from tests.conftest import login, serve_app

pytestmark = pytest.mark.browser

PREVIEW_POINTS = "document.querySelectorAll('#admin-imp-map path.leaflet-interactive').length"
CSV = "Nama;Lintang;Bujur;Arah;Sudut Pandang;Jangkauan\nCCTV Pasar Mardika Baru;-3,6952;128,1831;90;60;80\nCCTV Monas;-6,1754;106,8272;0;60;80\n"


@pytest.fixture(scope="module")
def imports_app(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("imports-instance")) as base:
        yield base


def test_upload_preview_commit_export_and_undo(page, imports_app):
    login(page, imports_app, "admin")
    page.goto(imports_app + "/admin")
    page.set_input_files("#admin-imp-upload input[type=file]",
                         files=[{"name": "cctv.csv", "mimeType": "text/csv", "buffer": CSV.encode()}])
    message = page.locator("#admin-imp-message")
    message.get_by_text("cctv.csv: 0 baris diambil, 1 diperbaiki, 1 ditolak (dari 2).").wait_for(timeout=30_000)
    report = page.locator("#admin-imp-report").inner_text()
    assert "3" in report and "di luar Ambon" in report and "koma desimal dibaca" in report
    page.wait_for_function(f"{PREVIEW_POINTS} >= 1", timeout=10_000)  # the taken row drawn on the preview map
    mapping = page.locator("#admin-imp-mapping").inner_text()
    assert "arah pandang (°)" in mapping and "Sudut Pandang" in mapping and "Jangkauan" in mapping

    page.click("#admin-imp-commit")  # a background job with a progress bar
    result = page.locator("#admin-imp-result")
    result.get_by_text("Disimpan (impor #1): 1 baru").wait_for(timeout=60_000)
    page.locator("#admin-imp-history td", has_text="cctv.csv").wait_for(timeout=10_000)
    exported = page.request.get(imports_app + "/api/export/cameras.csv").text()
    assert "CCTV Pasar Mardika Baru" in exported and "CCTV Jl. Jenderal Sudirman" not in exported

    page.click("#admin-imp-undo")
    result.get_by_text("Impor #1 dibatalkan").wait_for(timeout=30_000)
    exported = page.request.get(imports_app + "/api/export/cameras.csv").text()
    assert "CCTV Pasar Mardika Baru" not in exported and "CCTV Jl. Jenderal Sudirman" in exported
    assert page.errors == []
