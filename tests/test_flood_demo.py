from datetime import datetime, timedelta

import pytest

from demo.flood import build_rts
from demo.generator import build_demo_city
from demo.seed import write_demo_city
from flood import store
from flood.cap import validate_cap
from flood.demo import demo_simulator
from flood.warn import record_readings

START = datetime(2026, 11, 1, 0, 0)


@pytest.fixture(scope="module")
def city():
    return build_demo_city(7, n_complaints=300, n_businesses=40)


def test_demo_rt_contacts_are_deterministic_and_clearly_made_up(city):
    first, second = build_rts(city), build_rts(city)
    assert first.equals(second) and len(first) > 50
    assert first.phone.str.match(r"^\+62 811-0000-\d{4}$").all()
    assert first.contact_name.str.startswith("Ketua RT ").all()
    assert first.code.is_unique


def test_simulator_is_deterministic_and_returns_to_normal():
    one, two = demo_simulator(START), demo_simulator(START)
    end = START + timedelta(hours=7)
    assert one.next_readings(end) == two.next_readings(end)
    assert one.next_readings(end) == []  # everything up to `end` was played already
    last = demo_simulator(START).readings_at(end)
    assert all(r["level_cm"] < 70 for r in last)


DRILL = 1
"""The scenario of a drill (its run id)."""


def test_simulated_event_raises_awas_with_rt_to_warn(engine, city):
    write_demo_city(engine, city)
    simulator = demo_simulator(START)
    now, awas = START, []
    while not awas and now < START + timedelta(hours=6):
        now += simulator.step
        record_readings(engine, simulator.next_readings(now), source="simulator", now=now, scenario=DRILL)
        awas = store.read_alerts(engine, active_only=True, scenario=DRILL).query("level == 3").id.tolist()
    assert awas, "the demo event never reached Awas"
    deliveries = store.read_deliveries(engine, alert_id=int(awas[0]))
    assert len(deliveries) > 0 and deliveries.sent_at.isna().all()
    assert "<status>Exercise</status>" in store.read_cap(engine, int(awas[0]))
    assert validate_cap(store.read_cap(engine, int(awas[0]))) == []
    assert deliveries.contact_name.str.startswith("Ketua RT ").all()
