"""Where long jobs run (Dash background callbacks): local processes with a diskcache folder under the
instance folder by default, Celery workers when CELERY_BROKER_URL is set.

With Celery the broker also keeps the results (progress and outcome travel through it), and the
workers are started with `celery -A celery_worker worker`; they build the same app, so they know
the same jobs.

A job finds its services as a request does (services.current_services), in the app context of the
app that runs it: a local job in that of the app whose request started it, a Celery job in that of
the worker's app (`tasks_run_in`). Dash registers a background callback in every job manager of the
process under a key made of its source, so the function a job runs may be the one another app of the
process registered: it must not hold services of its own.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, partial

import diskcache
import flask
from celery import Celery
from celery.signals import task_postrun, task_prerun
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
    return LocalJobs(diskcache.Cache(settings.instance_dir / "jobs"), expire=JOB_RESULT_SECONDS)


class LocalJobs(DiskcacheManager):
    """Dash's local job processes, each run in the app context of the app whose request started it."""

    def call_job_fn(self, key, job_fn, args, context):
        app = flask.current_app._get_current_object()  # called while Dash answers the request that starts the job
        return super().call_job_fn(key, partial(_in_app_context, app, job_fn), args, context)


def _in_app_context(app: flask.Flask, job_fn, *args) -> None:
    with app.app_context():
        job_fn(*args)


def tasks_run_in(server: flask.Flask) -> None:
    """Run every Celery task of this process (a worker built around one app) in `server`'s app context."""
    contexts = {}

    def enter(task_id=None, **_):
        contexts[task_id] = server.app_context()
        contexts[task_id].push()

    def leave(task_id=None, **_):
        entered = contexts.pop(task_id, None)
        if entered is not None:
            entered.pop()

    task_prerun.connect(enter, weak=False)
    task_postrun.connect(leave, weak=False)


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
