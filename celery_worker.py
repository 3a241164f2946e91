"""Celery worker for the app's background jobs (the coverage analysis).

    CELERY_BROKER_URL=redis://127.0.0.1:6379/1 .venv/bin/celery -A celery_worker worker --loglevel=INFO

Set the same DATABASE_URL (and REDIS_URL, when the web app has one) as the web workers. The worker
builds the app so that its background callbacks are registered as Celery tasks; it decodes no
camera streams.
"""
from dataclasses import replace

from background import celery_app
from command_center import create_app
from config import Settings

settings = replace(Settings.from_env(), camera_readers=False)  # a worker decodes no camera, whatever the environment says
if not settings.celery_broker_url:
    raise SystemExit("CELERY_BROKER_URL is not set: without it the app runs its jobs itself and needs no worker")
dash_app = create_app(settings)
celery = celery_app(settings.celery_broker_url)
