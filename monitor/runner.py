"""The monitor: one asyncio loop in a thread of the process holding the lease, checking every
enabled service on its interval, storing results in batches, telling webhooks about incidents, and
rolling the days up. Hundreds of services cost little: checks are awaited, not threaded, and HTTP
connections are pooled.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import Engine

from .checks import CheckResult, check_dns, check_http, check_tcp, make_client
from .notify import RETRY_DELAYS_S, WebhookNotifier
from .safety import TargetPolicy
from .store import RAW_DAYS, Recorder, ServiceSpec, missing_rollup_days, prune_checks, rollup_day, service_specs, utcnow, webhook_urls

log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per check would drown the app log

DEMO_PREFIX = "demo:"


class Monitor:
    """Checks services while `lease.hold()` says this process is the one.

    `demo_targets` maps "demo:<name>" targets to the URLs of the demo endpoints this process serves
    (monitor.demo); they bypass `policy` (the app made them) and are verified with `demo_verify`.
    """

    def __init__(self, engine: Engine, lease, *, policy: TargetPolicy | None = None,
                 demo_targets: Mapping[str, str] | None = None, demo_verify: ssl.SSLContext | bool = True,
                 reload_s: float = 10.0, flush_s: float = 1.0, rollup_s: float = 600.0, lease_check_s: float = 3.0,
                 max_concurrency: int = 100,
                 retry_delays_s=RETRY_DELAYS_S, clock: Callable[[], datetime] = utcnow):
        self.engine, self.lease = engine, lease
        self.policy = policy or TargetPolicy()
        self.demo_targets = dict(demo_targets or {})
        self.demo_verify = demo_verify
        self.reload_s, self.flush_s, self.rollup_s, self.lease_check_s = reload_s, flush_s, rollup_s, lease_check_s
        self.max_concurrency = max_concurrency
        self.retry_delays_s = retry_delays_s
        self.clock = clock
        self.checks_done = 0
        self.holding = False
        self.notifier: WebhookNotifier | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Monitor:
        self._thread = threading.Thread(target=self._thread_main, name="service-monitor", daemon=True)
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop checking and give the lease up; returns when the loop has ended. Safe to call twice."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        self._thread = None
        self.lease.release()

    def _thread_main(self) -> None:
        self._loop = asyncio.new_event_loop()
        # name look-ups and store writes run in threads; a few hanging DNS servers must not starve
        # the store writes, so the pool is larger than asyncio's default (cores + 4)
        executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="service-monitor-io")
        self._loop.set_default_executor(executor)
        try:
            self._loop.run_until_complete(self.run())
        finally:
            self._loop.close()
            executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ the loop
    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._started.set()
        pending: list[tuple[ServiceSpec, datetime, CheckResult]] = []
        semaphore = asyncio.Semaphore(self.max_concurrency)
        async with make_client(True, self.policy) as client, make_client(self.demo_verify) as demo_client, \
                make_client(True, self.policy) as webhook_client:
            self.notifier = WebhookNotifier(webhook_client, lambda: webhooks, retry_delays_s=self.retry_delays_s)
            specs: list[ServiceSpec] = []
            webhooks: list[str] = []
            next_due: dict[int, float] = {}
            recorder: Recorder | None = None
            next_lease = next_reload = next_flush = next_rollup = 0.0
            checks: set[asyncio.Task] = set()
            while not self._stop.is_set():
                now = loop.time()
                try:
                    if now >= next_lease:
                        self.holding = await asyncio.to_thread(self.lease.hold)
                        next_lease = now + self.lease_check_s
                    if not self.holding:
                        recorder, next_due, next_reload = None, {}, 0.0
                        await self._sleep(min(1.0, self.lease_check_s))
                        continue
                    if recorder is None:
                        recorder = await asyncio.to_thread(Recorder, self.engine)
                    if now >= next_reload:
                        specs = await asyncio.to_thread(service_specs, self.engine)
                        webhooks = await asyncio.to_thread(webhook_urls, self.engine)
                        next_reload = now + self.reload_s
                    for spec in specs:
                        due = next_due.get(spec.id)
                        if due is None:  # spread first checks over a few seconds, not all at once
                            due = next_due[spec.id] = now + (spec.id * 0.618 % 1.0) * min(spec.interval_s, 5.0)
                        if due <= now:
                            next_due[spec.id] = now + spec.interval_s
                            task = loop.create_task(self._check(spec, client, demo_client, semaphore, pending))
                            checks.add(task)
                            task.add_done_callback(checks.discard)
                    if pending and now >= next_flush:
                        batch, pending[:] = list(pending), []
                        events = await asyncio.to_thread(recorder.record, batch)
                        for event in events:
                            log.info("service %s is %s (%s)", event.service_name, event.kind, event.reason)
                            if not event.in_maintenance:
                                self.notifier.send(event)
                        next_flush = now + self.flush_s
                    if now >= next_rollup:
                        await asyncio.to_thread(self._roll_up)
                        next_rollup = now + self.rollup_s
                except RuntimeError as exc:
                    if "shutdown" in str(exc):  # the interpreter is exiting: its thread pool is gone
                        break
                    log.exception("service monitor round failed")
                    await self._sleep(2.0)
                    continue
                except Exception:  # noqa: BLE001 - a store outage pauses a round, the loop goes on
                    log.exception("service monitor round failed")
                    await self._sleep(2.0)
                    continue
                wake = min([*next_due.values(), next_flush if pending else now + 1.0, next_reload, next_lease])
                await self._sleep(min(1.0, max(0.02, wake - loop.time())))
            for task in list(checks):
                task.cancel()
            await asyncio.gather(*checks, return_exceptions=True)
            if pending and recorder is not None:
                try:
                    recorder.record(pending)
                except Exception:  # noqa: BLE001 - at shutdown, the last batch is not worth a traceback
                    log.warning("service monitor: last %d checks not stored", len(pending))

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    def _roll_up(self) -> None:
        """Sum each finished day not summed yet (a restart catches up), then drop old single checks."""
        today = self.clock().date()
        for day in missing_rollup_days(self.engine, today - timedelta(days=RAW_DAYS), today - timedelta(days=1)):
            rollup_day(self.engine, day)
        prune_checks(self.engine, self.clock())

    async def _check(self, spec: ServiceSpec, client, demo_client, semaphore: asyncio.Semaphore, pending: list) -> None:
        async with semaphore:
            at = self.clock()
            try:
                result = await self.check(spec, client, demo_client)
            except Exception as exc:  # noqa: BLE001 - the check functions answer every failure; this is a last guard
                log.exception("check of %s failed", spec.name)
                result = CheckResult(False, "error", detail=(str(exc) or type(exc).__name__)[:300])
        self.checks_done += 1
        pending.append((spec, at, result))

    async def check(self, spec: ServiceSpec, client, demo_client) -> CheckResult:
        """One check of `spec` (no storing)."""
        target = spec.target
        if target.startswith(DEMO_PREFIX):
            url = self.demo_targets.get(target)
            if url is None:
                return CheckResult(False, "error", detail=f"no demo endpoint {target!r} in this process")
            return await check_http(demo_client, url, timeout_s=spec.timeout_s, keyword=spec.keyword)
        if spec.kind == "http":
            return await check_http(client, target, timeout_s=spec.timeout_s, keyword=spec.keyword)
        if spec.kind == "tcp":
            return await check_tcp(target, timeout_s=spec.timeout_s, policy=self.policy)
        if spec.kind == "dns":
            return await check_dns(target, timeout_s=spec.timeout_s)
        return CheckResult(False, "error", detail=f"unknown kind {spec.kind!r}")
