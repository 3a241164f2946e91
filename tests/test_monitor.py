"""The service monitor against real local servers: what each failure is reported as, that no
check outlives its timeout, incidents opening and closing, uptime across maintenance, webhooks that
fail before they work, the lease, and admin-entered targets that must not reach the machine."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.checks import check_dns, check_http, check_tcp, make_client
from monitor.demo import make_authority, make_certificate, server_context
from monitor.lease import FileLease
from monitor.models import Incident, MonitoredService, ServiceCheck
from monitor.runner import Monitor
from monitor.safety import TargetPolicy, TargetRefused
from monitor.store import Recorder, ServiceInvalid, ServiceSpec, add_webhook, plan_maintenance, save_service, status_board, validate_service
from monitor.checks import CheckResult
from monitor.uptime import window_uptime
from tests.conftest import wait_until
from tests.helpers.bad_servers import BadServer, closed_port

LOOPBACK_OK = TargetPolicy(allow_loopback=True)


def run(coro):
    """`coro` on an event loop of its own, in a worker thread: after a browser test, Playwright keeps a
    loop running in this thread, where asyncio.run() refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coro).result()


async def _http(url, timeout_s=2.0, keyword=None, verify=True, policy=LOOPBACK_OK):
    async with make_client(verify, policy) as client:
        return await check_http(client, url, timeout_s=timeout_s, keyword=keyword)


@pytest.fixture(scope="module")
def server():
    with BadServer() as srv:
        yield srv


@pytest.mark.parametrize("path, ok, reason", [
    ("/ok", True, "ok"), ("/500", False, "http_status"), ("/garbage", False, "bad_response"),
    ("/loop", False, "redirect_loop"), ("/nothing-here", False, "http_status")])
def test_http_outcomes_are_reported_as_what_they_are(server, path, ok, reason):
    result = run(_http(server.url(path)))
    assert (result.ok, result.reason) == (ok, reason), result


def test_a_hanging_server_costs_one_timeout_not_a_worker(server):
    started = time.monotonic()
    result = run(_http(server.url("/hang"), timeout_s=0.5))
    assert result.reason == "timeout" and not result.ok
    assert time.monotonic() - started < 1.5


def test_keyword_must_appear(server):
    assert run(_http(server.url("/ok"), keyword="Layanan aktif")).reason == "ok"
    assert run(_http(server.url("/ok"), keyword="Tidak ada")).reason == "keyword_missing"


def test_refused_tcp_dns():
    assert run(_http(f"http://127.0.0.1:{closed_port()}/")).reason == "refused"
    assert run(check_tcp(f"127.0.0.1:{closed_port()}", timeout_s=1, policy=LOOPBACK_OK)).reason == "refused"
    assert run(check_dns("localhost", timeout_s=2)).ok
    assert run(check_dns("no-such-host.invalid", timeout_s=2)).reason == "dns_failed"


def test_tcp_up(server):
    assert run(check_tcp(f"127.0.0.1:{server.port}", timeout_s=1, policy=LOOPBACK_OK)).reason == "ok"


@pytest.fixture(scope="module")
def authority():
    return make_authority("test CA")


def test_tls_expired_self_signed_and_expiring(authority):
    import ssl

    trusting = ssl.create_default_context(cadata=authority[0].decode())
    with BadServer(server_context(*make_certificate(-2, issuer=authority))) as expired, \
            BadServer(server_context(*make_certificate(200))) as self_signed, \
            BadServer(server_context(*make_certificate(5, issuer=authority))) as expiring:
        assert run(_http(expired.url("/ok", "localhost"), verify=trusting)).reason == "tls_expired"
        result = run(_http(self_signed.url("/ok", "localhost"), verify=trusting))
        assert result.reason == "tls_invalid" and "self" in result.detail.lower()
        result = run(_http(expiring.url("/ok", "localhost"), verify=trusting))
        assert result.ok and result.reason == "cert_expiring" and 4.9 < result.cert_days_left < 5.1


def test_targets_that_would_reach_the_machine_are_refused(server):
    policy = TargetPolicy(own_ports=frozenset({8050}))
    for url in ("file:///etc/passwd", "gopher://example.org/", server.url("/ok"), "http://[::1]:80/",
                "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:8050/admin"):
        result = run(_http(url, policy=policy))
        assert result.reason == "refused_target", (url, result)
    with pytest.raises(TargetRefused):
        policy.judge_ip("127.0.0.1", 8050)
    policy.judge_ip("10.1.2.3", 443)  # city services may be internal
    # a redirect is judged too: an allowed server sending the monitor to the app's own port
    own = TargetPolicy(allow_loopback=True, own_ports=frozenset({server.port + 1}))
    result = run(_http(server.url(f"/to/127.0.0.1:{server.port + 1}/admin"), policy=own))
    assert result.reason == "refused_target"
    assert run(check_tcp(f"127.0.0.1:{server.port}", timeout_s=1, policy=TargetPolicy())).reason == "refused_target"


def test_service_form_validation():
    with pytest.raises(ServiceInvalid) as err:
        validate_service({"name": "x", "kind": "http", "target": "file:///etc/passwd"})
    assert err.value.code == "url"
    with pytest.raises(ServiceInvalid) as err:
        validate_service({"name": "x", "kind": "tcp", "target": "db.example"})
    assert err.value.code == "host_port"
    with pytest.raises(ServiceInvalid) as err:
        validate_service({"name": "x", "kind": "http", "target": "https://a.go.id", "interval_s": "5"})
    assert err.value.code == "interval"


T0 = datetime(2026, 11, 1, 0, 0)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_uptime_arithmetic_across_a_maintenance_window():
    # 24 h window; down 10:00-14:00; maintenance 12:00-16:00 -> 2 h down of 20 h watched
    uptime, down_s, watched_s = window_uptime([(h(10), h(14))], [(h(12), h(16))], (h(0), h(24)))
    assert (down_s, watched_s) == (7200, 72000)
    assert uptime == pytest.approx(0.9)
    # overlapping incidents count once; time before the service was added counts neither way
    uptime, down_s, watched_s = window_uptime([(h(1), h(3)), (h(2), h(4))], [], (h(0), h(24)), watched_since=h(2))
    assert (down_s, watched_s) == (2 * 3600, 22 * 3600)
    assert window_uptime([], [(h(0), h(24))], (h(0), h(24)))[0] is None  # all maintenance: nothing to judge


def _spec(service_id: int, failures: int = 3) -> ServiceSpec:
    return ServiceSpec(service_id, "LPSE", "http", "https://lpse.example", None, 30, 5, failures)


def test_incident_opens_after_n_failures_and_closes_with_its_duration(engine):
    service_id = save_service(engine, {"name": "LPSE", "kind": "http", "target": "https://lpse.example", "failures_before_down": 3})
    recorder, spec = Recorder(engine), _spec(service_id)
    fail, good = CheckResult(False, "timeout"), CheckResult(True, "ok", 12.0)
    assert recorder.record([(spec, h(0), fail), (spec, h(0.01), good)]) == []  # one lost packet is no incident
    assert recorder.record([(spec, h(1), fail)]) == []
    assert recorder.record([(spec, h(1.01), fail)]) == []
    (opened,) = recorder.record([(spec, h(1.02), fail)])
    assert (opened.kind, opened.at, opened.reason) == ("down", h(1), "timeout")  # starts at the first failure
    assert Recorder(engine).states[service_id].incident_id == opened.incident_id  # a new lease holder knows it
    (closed,) = recorder.record([(spec, h(1.5), good)])
    assert closed.kind == "up" and closed.duration_s == pytest.approx(1800)
    with engine.connect() as conn:
        row = conn.execute(select(Incident)).one()
        assert (row.started_at, row.ended_at) == (h(1), h(1.5))
        assert conn.scalar(select(ServiceCheck.id).order_by(ServiceCheck.id.desc()).limit(1)) is not None
    with engine.begin() as conn:  # watched since the day before
        conn.execute(MonitoredService.__table__.update().values(created_at=h(-24)))
    plan_maintenance(engine, service_id, h(1.25), h(2))
    (service,) = status_board(engine, now=h(3), public_only=False)["services"]
    # down 01:00-01:30, maintenance 01:15-02:00: 15 min down of 24 h - 45 min watched
    assert service["uptime"]["24h"] == pytest.approx(1 - 900 / (23.25 * 3600))
    assert service["state"] == "up" and service["bars"][-1] is not None


def test_uptime_counts_only_the_time_watched_and_says_how_long(engine):
    """A service watched for 10 minutes with a 4-minute outage: every window holds the same 10
    minutes, so each says so; days before it was added are not watched at all (no figure)."""
    from i18n.format import observed_uptime

    service_id = save_service(engine, {"name": "SIMAK", "kind": "http", "target": "https://simak.example"})
    with engine.begin() as conn:
        conn.execute(MonitoredService.__table__.update().where(MonitoredService.id == service_id).values(created_at=h(50)))
        conn.execute(Incident.__table__.insert().values(service_id=service_id, started_at=h(50.05), ended_at=h(50 + 0.05 + 4 / 60), reason="timeout"))
    (service,) = [s for s in status_board(engine, now=h(50 + 10 / 60), public_only=False)["services"] if s["id"] == service_id]
    assert list(service["watched_s"].values()) == pytest.approx([600] * 4)
    assert service["uptime"]["90d"] == pytest.approx(0.6)
    assert service["bars"][0] is None and service["bars_watched_s"][0] == 0
    assert observed_uptime(service["uptime"]["90d"], service["watched_s"]["90d"], 90 * 86400, "id") == "60,0 % (dipantau 10 menit)"
    assert observed_uptime(service["bars"][0], service["bars_watched_s"][0], 86400, "id") == "belum ada data"
    assert observed_uptime(0.991, 7 * 86400, 7 * 86400, "en") == "99.1 %"  # watched throughout: no note
    assert observed_uptime(0.5, 3 * 86400, 7 * 86400, "en") == "50.0 % (monitored 3 days)"


def _add(engine, name, target, interval=1, failures=2, timeout=1.0):
    with engine.begin() as conn:
        conn.execute(MonitoredService.__table__.insert().values(
            name=name, kind="http", target=target, interval_s=interval, timeout_s=timeout, failures_before_down=failures,
            public=True, enabled=True, created_at=datetime.utcnow()))


def test_monitor_opens_and_closes_incidents_and_a_flaky_webhook_gets_told(tmp_path):
    from store.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    create_schema(engine)
    with BadServer() as target, BadServer(fail_first=2) as receiver, BadServer() as hung:
        _add(engine, "Ambon Access", target.url("/ok"))
        _add(engine, "Hangs", hung.url("/hang"), timeout=0.5, failures=100)
        add_webhook(engine, receiver.url("/hook"))
        add_webhook(engine, f"http://127.0.0.1:{closed_port()}/dead")  # never answers: must not stop anything
        monitor = Monitor(engine, FileLease(tmp_path / "lease"), policy=LOOPBACK_OK, reload_s=0.5, flush_s=0.1,
                          retry_delays_s=(0.05, 0.05, 0.05)).start()
        try:
            wait_until(lambda: monitor.checks_done >= 4, 10, message="first checks")
            target.server.healthy.clear()
            opened = wait_until(lambda: _incident(engine), 10, message="incident opened")
            assert opened.ended_at is None
            target.server.healthy.set()
            closed = wait_until(lambda: (i := _incident(engine)) and i.ended_at and i, 10, message="incident closed")
            assert closed.ended_at > closed.started_at
            # the receiver refuses twice: "down" arrives at the third attempt, then "up" at once
            wait_until(lambda: len(receiver.server.received) >= 4, 10, message="webhook deliveries")
            payloads = [json.loads(body) for body in receiver.server.received]
            assert [p["event"] for p in payloads] == ["down"] * 3 + ["up"]
            assert payloads[0]["service"] == "Ambon Access" and payloads[0]["text"]
            checks_before = monitor.checks_done
            wait_until(lambda: monitor.checks_done > checks_before + 2, 5, message="checks go on")
        finally:
            monitor.stop()
    assert monitor.notifier.delivered == 2


def _incident(engine):
    with engine.connect() as conn:
        return conn.execute(select(Incident).order_by(Incident.id.desc()).limit(1)).first()


def test_only_the_lease_holder_checks(tmp_path):
    from store.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    create_schema(engine)
    with BadServer() as target:
        _add(engine, "ambon.go.id", target.url("/ok"))
        first, second = (Monitor(engine, FileLease(tmp_path / "lease"), policy=LOOPBACK_OK, reload_s=0.5, flush_s=0.1,
                                 lease_check_s=0.2).start() for _ in range(2))
        try:
            wait_until(lambda: first.checks_done + second.checks_done >= 2, 10, message="checks")
            assert (first.checks_done == 0) != (second.checks_done == 0)
            holder, other = (first, second) if first.checks_done else (second, first)
            holder.stop()
            wait_until(lambda: other.checks_done >= 1, 10, message="the other takes over")
        finally:
            first.stop()
            second.stop()


def test_daily_rollup_sums_a_day_and_old_checks_are_pruned(engine):
    from monitor.store import missing_rollup_days, prune_checks, rollup_day
    from monitor.models import DailyRollup

    service_id = save_service(engine, {"name": "SIMDATIK", "kind": "http", "target": "https://simdatik.example"})
    with engine.begin() as conn:
        conn.execute(MonitoredService.__table__.update().values(created_at=h(-48)))
        conn.execute(ServiceCheck.__table__.insert(), [
            {"service_id": service_id, "checked_at": h(i), "ok": i != 5, "reason": "ok" if i != 5 else "timeout",
             "response_ms": 10.0 * (i + 1) if i != 5 else None} for i in range(20)])
        conn.execute(Incident.__table__.insert().values(service_id=service_id, started_at=h(5), ended_at=h(6), reason="timeout"))
    assert missing_rollup_days(engine, T0.date() - timedelta(days=1), T0.date()) == [T0.date() - timedelta(days=1), T0.date()]
    assert rollup_day(engine, T0.date()) == 1
    with engine.connect() as conn:
        row = conn.execute(select(DailyRollup)).one()
    assert (row.checks, row.failed, row.downtime_s, row.monitored_s) == (20, 1, 3600, 86400)
    times = [10.0 * (i + 1) for i in range(20) if i != 5]
    assert row.mean_ms == pytest.approx(sum(times) / len(times), abs=0.1) and row.p95_ms == 200.0
    assert prune_checks(engine, now=h(24 * 9)) == 20


def test_cache_lease_in_redis_is_held_by_one_and_taken_over_when_it_lapses():
    import uuid

    from cachelib.redis import RedisCache

    from monitor.lease import CacheLease
    from tests.conftest import require_redis

    url = require_redis()
    host, port = url.split("//")[1].split("/")[0].split(":")
    cache = RedisCache(host=host, port=int(port), key_prefix=f"test-{uuid.uuid4().hex[:8]}:")
    first, second = CacheLease(cache, lease_s=2), CacheLease(cache, lease_s=2)
    assert first.hold() and first.hold()  # renewed by its holder
    assert not second.hold()
    wait_until(second.hold, 5, interval=0.2, message="the lease to lapse and pass to the second")
    assert not first.hold()
    second.release()
    assert first.hold()
    first.release()

