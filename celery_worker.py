"""Celery worker for the app's background jobs (the coverage analysis, the leaders' board's roll-ups and weekly report).

    CELERY_BROKER_URL=redis://127.0.0.1:6379/1 .venv/bin/celery -A celery_worker worker --loglevel=INFO

Set the same DATABASE_URL (and REDIS_URL, when the web app has one) as the web workers. The worker
builds the app so that its background callbacks are registered as Celery tasks, and runs them in
that app's context (they find its services as a request does); it decodes no camera streams.
"""
from dataclasses import replace

from background import celery_app, tasks_run_in
from command_center import create_app
from config import Settings

settings = replace(Settings.from_env(), camera_readers=False)  # a worker decodes no camera, whatever the environment says
if not settings.celery_broker_url:
    raise SystemExit("CELERY_BROKER_URL is not set: without it the app runs its jobs itself and needs no worker")
dash_app = create_app(settings)
celery = celery_app(settings.celery_broker_url)
tasks_run_in(dash_app.server)

# The leaders' board: hourly roll-ups, Monday's report (07:00 WIT = Sunday 22:00 UTC),
# run by `celery -A celery_worker beat` instead of the web processes' in-process scheduler.
from datetime import datetime  # noqa: E402

from celery.schedules import crontab  # noqa: E402

leaders_job = dash_app.server.extensions.get("leaders_job")


@celery.task(name="leaders.hourly")
def leaders_hourly() -> None:
    leaders_job.hourly(datetime.utcnow())


@celery.task(name="leaders.weekly")
def leaders_weekly() -> None:
    leaders_job.weekly(datetime.utcnow())


celery.conf.beat_schedule = {
    "leaders-hourly": {"task": "leaders.hourly", "schedule": crontab(minute=5)},
    "leaders-weekly": {"task": "leaders.weekly", "schedule": crontab(minute=0, hour=22, day_of_week="sun")},
}
