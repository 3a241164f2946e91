"""The row report and refusals in a reader's words (i18n keys "imp.note.<code>", "imp.why.<code>")."""
from __future__ import annotations

from i18n import t
from i18n.format import number
from imports.prepare import Prepared
from geo.reader import ImportRefused


def _figures(figures: dict, lang: str) -> dict:
    shown = {}
    for key, value in figures.items():
        if key in ("field", "below"):
            shown[key] = t(f"imp.field.{value}", lang)
        elif isinstance(value, bool) or value is None:
            shown[key] = "" if value is None else str(value)
        elif isinstance(value, (int, float)):
            shown[key] = number(value, lang, 0 if float(value).is_integer() else 5)
        else:
            shown[key] = value
    return shown


def note_text(code: str, figures: dict, lang: str) -> str:
    """One reason a row was repaired or refused."""
    return t(f"imp.note.{code}", lang).format_map(_Missing(_figures(figures, lang)))


def refusal_text(error: ImportRefused, lang: str) -> str:
    """Why a whole file (or commit, or undo) was refused."""
    return t(f"imp.why.{error.code}", lang).format_map(_Missing(_figures(error.details, lang)))


def report_lines(prepared: Prepared, lang: str, limit: int | None = None) -> list[tuple[int, str, str]]:
    """(row number, status in words, reasons in words) of the rows repaired or refused, refused first."""
    return [(int(row.row), t(f"imp.status.{row.status}", lang), "; ".join(note_text(code, figures, lang) for code, figures in row.reasons))
            for row in prepared.problems(limit).itertuples()]


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
