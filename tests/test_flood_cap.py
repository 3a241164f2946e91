from datetime import datetime

import pytest
from lxml import etree

from flood.cap import CAP_NS, CapAlert, build_cap, cap_polygons, reference, validate_cap
from flood.messages import MAX_CHARS, rt_message
from tests.flood_world import zones

RAISED = datetime(2026, 11, 1, 1, 30)


def alert(**changes):
    values = dict(alert_id=7, gauge_name="AWLR Batu Merah", river_name="Wai Batu Merah", level=3, level_cm=252.4,
                  raised_at=RAISED, zones=zones(), sent_at=RAISED)
    return CapAlert(**{**values, **changes})


def field(xml: str, tag: str) -> list[str]:
    return [e.text for e in etree.fromstring(xml.encode()).iter(f"{{{CAP_NS}}}{tag}")]


@pytest.mark.parametrize("changes", [{}, {"exercise": True}, {"level": 1}, {"level": 2, "msg_type": "Update", "references": ("a@b,ID-1,2026-11-01T10:00:00+09:00",)}, {"msg_type": "Cancel"}])
def test_cap_validates_against_the_official_schema(changes):
    xml = build_cap(alert(**changes))
    assert validate_cap(xml) == []


def test_cap_content_for_awas():
    xml = build_cap(alert())
    assert field(xml, "status") == ["Actual"] and field(xml, "msgType") == ["Alert"] and field(xml, "scope") == ["Public"]
    assert field(xml, "language") == ["id-ID"] and field(xml, "category") == ["Met"] and field(xml, "event") == ["Banjir"]
    assert (field(xml, "urgency"), field(xml, "severity"), field(xml, "certainty")) == (["Immediate"], ["Extreme"], ["Observed"])
    assert field(xml, "sent") == ["2026-11-01T10:30:00+09:00"]
    assert field(xml, "headline") == ["AWAS banjir Wai Batu Merah"]
    assert "252 cm" in field(xml, "description")[0]


def test_user_text_is_escaped_not_injected():
    hostile = alert(gauge_name="</description><script>x</script>", river_name="Wai & <Sungai>")
    xml = build_cap(hostile)
    assert validate_cap(xml) == []
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert field(xml, "areaDesc") == ["Zona <dekat> & sungai; Zona luar"]


def test_polygons_are_closed_lat_lon_rings():
    polygons = cap_polygons(zones())
    assert len(polygons) == 2
    pairs = [tuple(map(float, p.split(","))) for p in polygons[0].split()]
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    lat, lon = pairs[0]
    assert -4 < lat < -3 and 128 < lon < 129


def test_schema_rejects_a_broken_message():
    xml = build_cap(alert()).replace("<status>Actual</status>", "<status>Bogus</status>")
    assert validate_cap(xml)


def test_reference_names_sender_identifier_and_sent():
    assert reference(alert()) == "bpbd@ambon.go.id,BPBD-AMBON-BANJIR-7-ALERT-20261101T013000,2026-11-01T10:30:00+09:00"


@pytest.mark.parametrize("level", [1, 2, 3])
def test_rt_message_is_short_and_in_bahasa(level):
    text = rt_message(rt_name="RT 003/RW 01", desa_name="Batu Merah", level=level, river_name="Wai Batu Merah", level_cm=251.6, at=RAISED)
    assert len(text) <= MAX_CHARS
    assert "RT 003/RW 01 Batu Merah" in text and "252 cm" in text and "10:30 WIT" in text and "BPBD" in text


def test_rt_message_shortens_long_names_to_fit():
    text = rt_message(rt_name="RT 001", desa_name="X" * 400, level=3, river_name="Wai Batu Merah", level_cm=260, at=RAISED)
    assert len(text) <= MAX_CHARS and text.endswith("-BPBD Kota Ambon")
