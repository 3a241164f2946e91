"""Where long jobs run (Dash background callbacks): local processes with a diskcache folder under the
instance folder by default, Celery workers when CELERY_BROKER_URL is set.

With Celery the broker also keeps the results (progress and outcome travel through it), and the
workers are started with `celery -A celery_worker worker`; they build the same app, so they know
the same jobs.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
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
def ended_by_sigterm() -> Iterator[None]:
    """Within a job: SIGTERM ends the process at once (its default action).

    Cancelling a Celery job sends SIGTERM to the worker process running it, but the handler the
    worker installs runs only when the interpreter regains control, which a solver in native code
    (HiGHS presolving a large model) delays by many seconds while the job runs on. Ended at once, as
    local jobs are killed outright, the pool simply starts a fresh process. Outside the main thread
    signal handlers cannot be changed, and the worker's stays.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
