"""Every UI text exists in both languages, and every text the code asks for by name exists."""
import re

import pytest

from i18n import LANGUAGES, TEXT, bundle, normalise_language, t
from i18n.format import age_text, number, percent, wit_time
from tests.conftest import ROOT

LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def test_every_text_has_both_languages():
    missing = [key for key, entry in TEXT.items() if any(not entry.get(lang) for lang in LANGUAGES)]
    assert missing == []


def test_every_text_the_code_names_exists():
    sources = [p for folder in ("layouts", "callbacks", "routes", "auth", "command_center.py", "planning", "flood")
               for p in ((ROOT / folder).rglob("*.py") if (ROOT / folder).is_dir() else [ROOT / folder])]
    named = {key for path in sources for key in LITERAL_KEY.findall(path.read_text())}
    assert len(named) > 100
    assert sorted(named - TEXT.keys()) == []


@pytest.mark.parametrize("value", [None, "", "fr", "<script>", "EN"])
def test_unknown_languages_fall_back_to_indonesian(value):
    assert normalise_language(value) == "id"
    assert t("nav.map", normalise_language(value)) == "Peta"


def test_numbers_times_and_ages_as_people_read_them():
    assert number(5000, "id") == "5.000" and number(5000, "en") == "5,000"
    assert number(9.46, "id", 1) == "9,5" and number(9.46, "en", 1) == "9.5"
    assert percent(0.973, "id") == "97,3 %" and percent(None, "en") == "not measured yet"
    assert wit_time(0) == "01-01-1970 09:00 WIT" and wit_time(0, with_date=False) == "09:00:00 WIT"
    assert age_text(4, "id") == "4 dtk" and age_text(600, "en") == "10 min" and age_text(7200, "id") == "2 jam"


def test_every_reason_a_reading_or_a_sale_can_get_is_in_both_languages():
    from flood.ingest import REASONS as FLOOD_REASONS
    from tax.ingest import REASONS as TAX_REASONS

    keys = [f"flood.reason.{code}" for code in FLOOD_REASONS] + [f"tax.reason.{code}" for code in TAX_REASONS]
    assert all(TEXT[key]["id"] and TEXT[key]["en"] for key in keys)


def test_every_word_a_dropdown_shows_by_itself_is_translated():
    from dash import dcc

    assert set(bundle("dropdown.label.", "id")) == set(dcc.Dropdown.Labels.__annotations__)


def test_every_reason_an_account_or_camera_change_is_refused_is_in_both_languages():
    from auth.users import REFUSAL_TEXT as USER_REFUSALS
    from config.cameras import REFUSAL_TEXT as CAMERA_REFUSALS

    named = {f"user.refused.{code}" for code in USER_REFUSALS} | {f"camera.refused.{code}" for code in CAMERA_REFUSALS}
    assert sorted(named - TEXT.keys()) == []
    assert sorted(key for key in TEXT if key.startswith(("user.refused.", "camera.refused.")) and key not in named) == []
