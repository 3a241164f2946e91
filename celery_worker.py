"""Celery worker for the app's background jobs (the coverage analysis).

    CELERY_BROKER_URL=redis://127.0.0.1:6379/1 .venv/bin/celery -A celery_worker worker --loglevel=INFO

Set the same DATABASE_URL (and REDIS_URL, when the web app has one) as the web workers. The worker
builds the app so that its background callbacks are registered as Celery tasks; it decodes no
camera streams.
"""
import os

os.environ.setdefault("CAMERA_READERS", "0")

from background import celery_app  # noqa: E402
from command_center import create_app  # noqa: E402
from config import Settings  # noqa: E402

settings = Settings.from_env()
if not settings.celery_broker_url:
    raise SystemExit("CELERY_BROKER_URL is not set: without it the app runs its jobs itself and needs no worker")
dash_app = create_app(settings)
celery = celery_app(settings.celery_broker_url)
