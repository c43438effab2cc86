"""The Celery app. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")

app = Celery("studygroup")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each app's reminder rules live in <app>/reminders.py (run by beat, see studygroup.schedules).
app.autodiscover_tasks(related_name="reminders")

# One JSON log line per task with the request id it was queued from; the worker's heartbeat
# for /healthz (studygroup.observability).
from studygroup import observability  # noqa: E402

observability.connect_celery_signals()
app.steps["worker"].add(observability.heartbeat_step())
