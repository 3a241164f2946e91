"""The coverage analysis run by a real Celery worker through the local Redis, as deployed with
CELERY_BROKER_URL: the app queues the job, the worker (`celery -A celery_worker worker`) runs it,
progress and result come back through Redis, and Cancel ends the job in the worker at once."""
import os
import random
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, require_redis, serve_app, wait_until
from tests.helpers.coverage_page import cancel_a_long_run, open_coverage_page, run_analysis

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def celery_app_url(tmp_path_factory):
    # a database of its own, so a concurrent run's worker cannot take these jobs
    broker = f"redis://127.0.0.1:6379/{random.randint(8, 15)}"
    require_redis(broker)
    instance = tmp_path_factory.mktemp("celery-instance")
    env = {"CELERY_BROKER_URL": broker, "TILE_URL": "", "CAMERA_READERS": "0"}
    with serve_app(instance, **env) as base:  # seeds the demo store before the worker opens it
        worker_log = instance / "worker.log"
        with open(worker_log, "w") as log:
            worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--concurrency=1", "--loglevel=INFO"],
                                      cwd=ROOT, env={**os.environ, "INSTANCE_DIR": str(instance), **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: "ready." in worker_log.read_text() or worker.poll() is not None, timeout=60, interval=0.3,
                       message="the Celery worker to be ready")
            assert worker.poll() is None, worker_log.read_text()
            yield base, worker_log
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(5)


def test_analysis_runs_on_the_celery_worker(page, celery_app_url):
    base, worker_log = celery_app_url
    open_coverage_page(page, base)
    run_analysis(page, 3)
    assert page.locator(".cov-site-row").count() == 3
    assert page.locator(".leaflet-marker-pane .cov-site-icon").count() == 3
    assert re.search(r"Task background_callback_\w+\[[\w-]+\] succeeded", worker_log.read_text())
    assert page.errors == []


def test_cancel_ends_the_job_in_the_worker(page, celery_app_url):
    base, worker_log = celery_app_url
    open_coverage_page(page, base)
    cancel_a_long_run(page)
    wait_until(lambda: re.search(r"Terminating [\w-]+", worker_log.read_text()), timeout=10,
               message="the worker to be told to end the job")
    # the worker runs one job at a time: the next run is served now, not after the 300 s time limit
    started = time.monotonic()
    run_analysis(page, 2)
    assert page.locator(".cov-site-row").count() == 2 and time.monotonic() - started < 60
    assert page.errors == []
