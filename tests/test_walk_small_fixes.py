"""Small things a browser walk-through found: the video wall's title and filters for an account that
sees only its agency's cameras, the complaint action button's verb, one upload limit for every page
and the README, and the alert sound fetched once rather than per poll."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from callbacks.wall import wall_config
from tests.conftest import build_app
from config import Settings
from i18n import t
from geo.reader import PAGE_UPLOAD_BYTES
from layouts.admin_page import admin_page
from layouts.video_wall import wall_page

ROOT = Path(__file__).resolve().parent.parent


def _texts(node) -> list[str]:
    found = []

    def walk(n):
        if isinstance(n, str):
            found.append(n)
        elif isinstance(n, (list, tuple)):
            for child in n:
                walk(child)
        elif n is not None:
            walk(getattr(n, "children", None))
    walk(node)
    return found


def _find(node, wanted: str):
    if getattr(node, "id", None) == wanted:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str) and (hit := _find(child, wanted)) is not None:
            return hit
    return None


def test_an_agency_wall_says_whose_cameras_and_offers_only_their_kinds():
    from layouts import ids

    config = wall_config({"jenis": "jalan,tps"}, offered=["tps"])
    assert config["kinds"] == ["tps"]  # a kind the account has no camera of is not asked for
    page = wall_page("id", ["Sirimau"], 5.0, config, kinds=["tps"], shown=8)
    assert "Dinding video: 8 kamera instansi Anda" in _texts(page) and t("cam.wall_title", "id") not in _texts(page)
    assert [o["value"] for o in _find(page, ids.CAM_WALL_KIND).options] == ["tps"]
    assert t("cam.wall_title", "id") in _texts(wall_page("id", [], 5.0, wall_config({})))  # everyone's wall as before


def test_the_complaint_action_button_is_a_verb_not_the_fields_heading():
    source = (ROOT / "layouts" / "complaints_page.py").read_text()
    assert 'html.Button(t("cx.detail.submit", lang)' in source
    assert t("cx.detail.submit", "id") != t("cx.detail.act", "id")


def test_every_page_upload_quotes_the_one_limit_the_readme_states():
    mb = PAGE_UPLOAD_BYTES // 2**20
    page = admin_page("id", ("admin",), ("DLH",), ("tps",), ("roads",), PAGE_UPLOAD_BYTES)
    assert any(f"maks. {mb} MB" in text for text in _texts(page))
    from layouts.coverage_page import side_panel  # noqa: F401 - the coverage page uses the same constant
    assert "PAGE_UPLOAD_BYTES" in (ROOT / "layouts" / "coverage_page.py").read_text()
    assert f"Files up to {mb} MB on the page" in (ROOT / "README.md").read_text()
    assert not re.search(r"maks\. \d+ MB", " ".join(str(v) for v in __import__("i18n").TEXT.values()))  # no figure typed into a text


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path_factory.mktemp("walk")), "TILE_URL": "",
                                         "CAMERA_READERS": "0", "SERVICE_MONITOR": "0"}))


def test_the_alert_sound_is_cached_by_the_browser(app):
    response = app.server.test_client().get("/assets/alert.wav")
    assert response.status_code == 200 and response.data[:4] == b"RIFF"
    cache = response.headers.get("Cache-Control", "")
    assert "no-cache" not in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 86400
