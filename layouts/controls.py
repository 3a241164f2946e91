"""Form controls shared by the pages, in the user's language down to the words the control itself shows."""
from __future__ import annotations

from dash import dcc

from i18n import bundle, t


def dropdown(lang: str, **props) -> dcc.Dropdown:
    """A dcc.Dropdown whose own words (search box, select all / deselect all, "n selected", no match,
    clear buttons) are in `lang`, not dash's English; without a placeholder it asks the user to choose."""
    props.setdefault("placeholder", t("dropdown.placeholder", lang))
    return dcc.Dropdown(labels=bundle("dropdown.label.", lang), **props)
