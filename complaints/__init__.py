"""The complaints desk (SP4N-LAPOR): life cycle, working-day deadlines, duplicates, intake and
Open311. Plain Python: nothing here knows Dash, Flask or the UI language."""
