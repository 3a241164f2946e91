"""Form controls shared by the pages, in the user's language down to the words the control itself shows."""
from __future__ import annotations

from dash import dcc

from i18n import bundle, t


def dropdown(lang: str, **props) -> dcc.Dropdown:
    """A dcc.Dropdown whose own words (search box, select all / deselect all, "n selected", no match,
    clear buttons) are in `lang`, not dash's English; without a placeholder it asks the user to choose."""
    props.setdefault("placeholder", t("dropdown.placeholder", lang))
    return dcc.Dropdown(labels=bundle("dropdown.label.", lang), **props)


def date_range_picker(lang: str, **props) -> dcc.DatePickerRange:
    """A date range picker as Ambon writes dates (DD-MM-YYYY, weeks from Monday), clearable, with
    its placeholders in `lang`; month and day names follow the page (assets/ambon_dates.js)."""
    return dcc.DatePickerRange(display_format="DD-MM-YYYY", first_day_of_week=1, clearable=True,
                               start_date_placeholder_text=t("filter.date_start", lang),
                               end_date_placeholder_text=t("filter.date_end", lang), **props)
