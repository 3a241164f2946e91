from datetime import date

from store.filters import complaint_filter_query, parse_complaint_filter
from store.layers import ComplaintFilter
from urllib.parse import parse_qs


def test_query_round_trip():
    original = ComplaintFilter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), categories=("banjir", "sampah"),
                               statuses=("baru",), agencies=("BPBD",), kecamatan_codes=("81.71.02",))
    parsed, rejected = parse_complaint_filter(parse_qs(complaint_filter_query(original)))
    assert parsed == original and rejected == []


def test_unknown_and_hostile_values_are_dropped_and_reported():
    parsed, rejected = parse_complaint_filter({
        "status": ["baru,'; DROP TABLE complaints;--"],
        "category": ["<img src=x onerror=alert(1)>"],
        "from": ["not-a-date"],
    })
    assert parsed == ComplaintFilter(statuses=("baru",))
    assert sorted(rejected) == sorted(["'; DROP TABLE complaints;--", "<img src=x onerror=alert(1)>", "not-a-date"])


def test_empty_filter_has_empty_query():
    assert complaint_filter_query(ComplaintFilter()) == ""
