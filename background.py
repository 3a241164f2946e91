"""Where long jobs run (Dash background callbacks): local processes with a diskcache folder under the
instance folder by default, Celery workers when CELERY_BROKER_URL is set.

With Celery the broker also keeps the results (progress and outcome travel through it), and the
workers are started with `celery -A celery_worker worker`; they build the same app, so they know
the same jobs.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import diskcache
from celery import Celery
from dash import CeleryManager, DiskcacheManager

from config import Settings

JOB_RESULT_SECONDS = 3600


@cache
def celery_app(broker_url: str) -> Celery:
    """The one Celery application of this process for `broker_url` (results kept in the broker too)."""
    app = Celery("ambon", broker=broker_url, backend=broker_url)
    app.conf.update(result_expires=JOB_RESULT_SECONDS, worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)
    return app


def background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    if settings.celery_broker_url:
        return CeleryManager(celery_app(settings.celery_broker_url), expire=JOB_RESULT_SECONDS)
    return DiskcacheManager(diskcache.Cache(settings.instance_dir / "jobs"), expire=JOB_RESULT_SECONDS)


@contextmanager
def stop_requested() -> Iterator[Callable[[], bool]]:
    """Within a job: a function that turns True once the job is asked to stop.

    Cancelling a Celery job sends SIGTERM to the worker process running it, but a solver busy in
    native code only sees it when it calls back into Python: the flag set here is what it then
    reads, through the analysis' cancel hook, to stop at once. (Local jobs are killed outright.)
    Outside the main thread signals cannot be caught, and the function stays False.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGTERM, previous)
