"""The beat schedule, kept in the database (django-celery-beat) so superusers can change times,
switch tasks off or set thresholds (a task's keyword arguments) in the admin without a deploy.

``schedules_ensure`` creates the periodic tasks that are missing and never changes existing
ones; it runs after every ``migrate`` (post_migrate) and as ``manage.py setup_schedules``. To
stop a reminder, disable its periodic task: a deleted one comes back at the next migrate.
"""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    kwargs: dict = field(default_factory=dict)
    description: str = ""


def _cutoff() -> tuple[str, str]:
    hours, minutes = settings.DAILY_READING_CUTOFF.split(":")
    return str(int(minutes)), str(int(hours))


def schedules() -> list[Schedule]:
    cutoff_minute, cutoff_hour = _cutoff()
    remind_hour = str(max(int(cutoff_hour) - 2, 0))
    return [
        Schedule("notifications: send due pushes", "notifications.deliveries_sweep", minute="*",
                 description="Every minute: pushes held by quiet hours, retries, interrupted sends."),
        Schedule("reminders: meetings a day and an hour before", "meetings.remind_upcoming", minute="*/5"),
        Schedule("reminders: sign-in open", "meetings.remind_sign_in", minute="*/5"),
        Schedule("reminders: make-up study owed", "meetings.remind_makeup_owed", minute="0", hour="9"),
        Schedule("reminders: make-up study waiting for confirmation", "meetings.remind_makeup_review",
                 minute="5", hour="9"),
        Schedule("reminders: attendance or minutes not entered", "meetings.remind_records_missing",
                 minute="10", hour="9"),
        Schedule("reminders: reflections due", "work.remind_reflections_due", minute="15", hour="9"),
        Schedule("reminders: review queue waiting", "work.remind_review_queue", minute="20", hour="9"),
        Schedule("reminders: theory tests closing", "work.remind_tests_closing", minute="25", hour="9"),
        Schedule("theory tests: hand in attempts whose time is up", "work.finish_overdue_attempts", minute="*/2",
                 description="Every two minutes: a member who closed the phone is handed in at the time limit."),
        Schedule("reminders: calls for topics closing", "plans.remind_proposal_calls_closing", minute="30", hour="9"),
        Schedule("reminders: plans waiting for approval", "plans.remind_plans_waiting", minute="35", hour="9"),
        Schedule("reminders: behind the plan's pace (1 June, 1 November)", "plans.remind_quotas",
                 minute="0", hour="9", day_of_month="1", month_of_year="6,11"),
        Schedule("reminders: rectification deadlines", "reports.remind_rectification", minute="40", hour="9"),
        Schedule("reminders: reviews waiting to be read", "reports.remind_reviews_waiting", minute="45", hour="9"),
        Schedule("reminders: bulletins not yet read", "reports.remind_bulletins_unread", minute="50", hour="9"),
        Schedule("daily reading: remind approvers", "notifications.daily_reading_remind_approvers",
                 minute=cutoff_minute, hour=remind_hour),
        Schedule("daily reading: push at the cutoff", "notifications.daily_reading_push",
                 minute=cutoff_minute, hour=cutoff_hour),
        Schedule("audit trail: delete entries past the retention (at least 180 days)", "audit.purge_expired",
                 minute="30", hour="3",
                 description="Nightly: manage.py purge_audit (AUDIT_RETENTION_DAYS, never under 180)."),
    ]


def schedules_ensure(*, using: str = "default") -> int:
    """Create the missing periodic tasks; returns how many were created."""
    import json

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for item in schedules():
        if PeriodicTask.objects.using(using).filter(name=item.name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute=item.minute, hour=item.hour, day_of_month=item.day_of_month,
            month_of_year=item.month_of_year, day_of_week="*", timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.using(using).create(
            name=item.name, task=item.task, crontab=crontab, kwargs=json.dumps(item.kwargs),
            description=item.description, enabled=True,
        )
        created += 1
    return created


def on_post_migrate(sender, using="default", **kwargs):
    from django.db import DatabaseError

    try:
        schedules_ensure(using=using)
    except DatabaseError:  # a partial migrate: the beat tables are not there yet
        pass
