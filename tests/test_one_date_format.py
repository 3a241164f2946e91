"""Dates are written one way, by i18n.format, on the server and in map popups alike."""
from datetime import datetime

from i18n.format import wit_time


def test_a_stored_utc_time_reads_as_ambon_time():
    assert wit_time(datetime(2026, 11, 27, 5, 2)) == "27-11-2026 14:02 WIT"
    assert wit_time(datetime(2026, 11, 27, 20, 2, 9), seconds=True) == "28-11-2026 05:02:09 WIT"  # past midnight in Ambon
    assert wit_time(1_795_755_729.0, with_date=False) == "14:02:09 WIT"

