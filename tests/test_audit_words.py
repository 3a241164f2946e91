"""The audit log searched and shown in people's words, not exact action codes."""
from datetime import datetime, timedelta

from auth import audit
from i18n.audit import action_segments, action_text


def test_audit_is_found_by_the_start_of_any_word_in_either_language(engine):
    start = datetime(2026, 5, 1, 8)
    for minute, action in enumerate(["data.import", "import.complaints", "data.import.refused", "login.ok", "export.tax_cases"]):
        audit.record(engine, action, username="admin", time=start + timedelta(minutes=minute))

    def found(text: str) -> list[str]:
        return sorted(e["action"] for e in audit.search(engine, action_words=[action_segments(w) for w in text.split()]))

    assert found("import") == ["data.import", "data.import.refused", "import.complaints"]  # not an exact code
    assert found("impor") == found("import")  # in Indonesian too
    assert found("impor ditolak") == ["data.import.refused"]  # every word must match
    assert found("log") == ["login.ok"] and found("%") == [] and found("") == sorted(
        ["data.import", "import.complaints", "data.import.refused", "login.ok", "export.tax_cases"])


def test_actions_read_as_words():
    assert action_text("data.import.refused", "id") == "Data impor ditolak"
    assert action_text("login.failed", "en") == "Login failed"
    assert action_text("something.new_here", "en") == "Something new here"  # an unknown action still reads
