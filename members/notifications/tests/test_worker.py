"""Notifications through the real parts: a Celery worker process on the real Redis, ``celery
beat`` with the schedule in the database, a local SMTP server and a local robot server.

Each test here starts its own worker (its SMTP settings and private queue), which opens the test
database, so the tests use ``django_db(transaction=True)``.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import _reset_celery_connections, _wait_for_worker, start_celery_worker, worker_database_url
from members.notifications.models import Delivery, GroupChannel, Notification, NotificationKind

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

NEVER_QUIET = {"QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}


def _broker():
    broker = os.environ.get("CELERY_TEST_BROKER_URL")
    if not broker:
        pytest.fail("CELERY_TEST_BROKER_URL is not set: the Celery tests need a real Redis.")
    return broker


class Workers:
    """Start workers on a private queue with the project's app pointed at it."""

    def __init__(self, smtp_server):
        from studygroup.celery import app

        self.app = app
        self.broker = _broker()
        self.queue = f"notify-{uuid.uuid4().hex[:8]}"
        self.database_url = worker_database_url()
        self.smtp = smtp_server
        self.processes = []
        keys = ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
        self.saved = {key: app.conf[key] for key in keys}
        app.conf.update(broker_url=self.broker, result_backend=self.broker, task_always_eager=False,
                        task_default_queue=self.queue)
        _reset_celery_connections(app)

    def env(self, **extra):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.smtp.host, "EMAIL_PORT": str(self.smtp.port),
            # The local robot server listens on 127.0.0.1: on the robot host list.
            "ROBOT_EXTRA_HOSTS": "127.0.0.1",
            **NEVER_QUIET, **extra,
        }

    def start(self, **extra_env):
        process = start_celery_worker(self.broker, self.queue, self.database_url, self.env(**extra_env))
        self.processes.append(process)
        _wait_for_worker(self.app, process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.app.conf.update(self.saved)
        _reset_celery_connections(self.app)
        import redis

        redis.Redis.from_url(self.broker).delete(self.queue)


@pytest.fixture
def workers(smtp_server):
    smtp_server.reset()
    pool = Workers(smtp_server)
    try:
        yield pool
    finally:
        pool.stop()


def _wait(condition, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def robots(world, robot_server):
    group = world.groups.bureau
    GroupChannel.objects.create(group=group, provider="dingtalk", name="钉钉群", webhook_url=robot_server.dingtalk_url,
                                secret=robot_server.secret)
    GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群", webhook_url=robot_server.wecom_url)
    return robot_server


def test_meeting_notice_reaches_inbox_email_and_robots_exactly_once(world, workers, robots, settings):
    """Staff send a notice: the worker e-mails the members and posts to both robots; the
    notice hook run again and every send task queued again send nothing more."""
    from members.notifications.tasks import delivery_send
    from sessions import services as meeting_services
    from sessions.reminders import meeting_notice_sent
    from sessions.tests.factories import MeetingFactory

    settings.QUIET_HOURS = ("00:00", "00:00")
    world.member.email = "member@example.org"
    world.member.save()
    world.other_member.email = "other@example.org"
    world.other_member.save()
    workers.start()
    meeting = MeetingFactory(group=world.groups.bureau, status="planned", title="专题研讨：学习贯彻全会精神",
                             starts_at=timezone.now() + timedelta(days=2))
    notice = meeting_services.meeting_notify(by=world.staff, meeting=meeting, message="请提前阅读学习资料汇编")

    assert _wait(lambda: len(workers.smtp.messages) == 2 and len(robots.posts) == 2), (
        workers.smtp.messages, robots.posts)
    assert _wait(lambda: Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4)
    assert sorted(m.rcpt[0] for m in workers.smtp.messages) == ["member@example.org", "other@example.org"]
    text = workers.smtp.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "请提前阅读学习资料汇编" in text
    dingtalk = next(p for p in robots.posts if p.provider == "dingtalk")
    assert dingtalk.signature_ok
    assert "专题研讨：学习贯彻全会精神" in dingtalk.body["markdown"]["title"]
    assert Notification.objects.filter(kind=NotificationKind.MEETING_NOTICE, object_id=meeting.pk).count() == 2

    meeting_notice_sent(notice=notice)
    results = [delivery_send.delay(delivery_id=d.pk) for d in Delivery.objects.all()]
    assert {r.get(timeout=30) for r in results} == {"not claimable"}
    time.sleep(1)
    assert len(workers.smtp.messages) == 2
    assert len(robots.posts) == 2


def test_worker_killed_mid_send_does_not_send_twice(world, workers, robot_server, settings):
    """acks_late: the worker dies while the robot is receiving the post; Redis hands the task to
    the next worker, which finds the row claimed and does not post again. The sweeper then
    marks it interrupted for staff to look at."""
    import threading

    from members.notifications.services import notification_send
    from members.notifications.tasks import deliveries_sweep, delivery_send

    settings.QUIET_HOURS = ("00:00", "00:00")
    options = json.dumps({"visibility_timeout": 4, "unacked_restore_interval": 1, "unacked_restore_throttle": 1})
    first = workers.start(CELERY_BROKER_TRANSPORT_OPTIONS=options)
    group = world.groups.bureau
    GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群", webhook_url=robot_server.wecom_url)
    robot_server.hang = threading.Event()
    with _held():  # created without being queued: the test queues it with a known id
        notification_send(kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[], occasion="kill",
                          title="学习会通知", group=group)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    task = delivery_send.apply_async(kwargs={"delivery_id": delivery.pk})
    assert _wait(lambda: len(robot_server.posts) == 1), "the worker never posted"
    first.send_signal(signal.SIGKILL)  # mid-task: the post is in flight, the task not acknowledged
    first.wait(timeout=10)
    robot_server.hang.set()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING

    workers.start(CELERY_BROKER_TRANSPORT_OPTIONS=options)
    # The unacknowledged task comes back to the new worker, which declines to send again.
    assert delivery_send.AsyncResult(task.id).get(timeout=60) == "not claimable"
    time.sleep(1)
    assert len(robot_server.posts) == 1
    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 0
    deliveries_sweep.run()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.INTERRUPTED
    assert len(robot_server.posts) == 1


def test_beat_schedule_in_the_database_runs_tasks_through_the_worker(world, workers, smtp_server, tmp_path):
    """The periodic tasks in the database name registered tasks; ``celery beat`` (the
    DatabaseScheduler) fires one on a short interval, the worker runs it, and a held e-mail goes
    out."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from studygroup.celery import app
    from studygroup.schedules import schedules, schedules_ensure

    schedules_ensure()
    app.loader.import_default_modules()
    names = {item.task for item in schedules()}
    assert names <= set(app.tasks), names - set(app.tasks)
    assert set(PeriodicTask.objects.filter(name__in=[s.name for s in schedules()]).values_list("task", flat=True)) == names

    world.member.email = "member@example.org"
    world.member.save()
    from members.notifications.services import notification_send

    with _held():
        notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau, recipients=[world.member],
                          occasion="beat", title="夜间通知：次日学习会")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # morning has come

    PeriodicTask.objects.update(enabled=False)
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="test: sweep every second", task="notifications.deliveries_sweep",
                                interval=every_second, queue=workers.queue)
    workers.start()
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studygroup", "beat", "--loglevel=WARNING", "--max-interval=1",
         "-s", str(tmp_path / "beat-schedule")],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "studygroup.settings", "CELERY_BROKER_URL": workers.broker,
             "DATABASE_URL": workers.database_url, "CELERY_TASK_DEFAULT_QUEUE": workers.queue,
             "SECRET_KEY": "celery-test-beat-secret-key-not-for-production-use"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        assert _wait(lambda: len(smtp_server.messages) == 1, timeout=45), (
            beat.poll(), beat.stderr.read().decode() if beat.poll() is not None else "")
        time.sleep(3)  # beat keeps firing: still one e-mail
        assert len(smtp_server.messages) == 1
        assert "夜间通知：次日学习会" in smtp_server.messages[0].message["Subject"]
        assert PeriodicTask.objects.get(name="test: sweep every second").total_run_count >= 1
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=15)
        except subprocess.TimeoutExpired:
            beat.kill()


class _held:
    """Quiet hours around now in this process, so a push is held."""

    def __enter__(self):
        from django.test import override_settings

        now = timezone.localtime()
        self.override = override_settings(QUIET_HOURS=(
            (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")))
        self.override.enable()
        return self

    def __exit__(self, *exc):
        self.override.disable()



def test_two_workers_keep_a_robot_under_its_limit_and_send_the_rest_next_window_in_order(world, workers, robot_server, settings):
    """Two workers share the robot's count (it lives on the robot's row): with a limit of 3 in a
    window (shortened to 10 s here; a minute in production), 6 notices go out as 3 and, a window
    later, 3 more, never 4 within one window, the held ones last. Judged from the times the robot received them, so a slow machine cannot fail it."""
    from members.notifications.services import notification_send

    settings.QUIET_HOURS = ("00:00", "00:00")  # whatever the time of day the suite runs
    window = 10
    workers.start(ROBOT_MESSAGES_PER_MINUTE="3", ROBOT_WINDOW_SECONDS=str(window))
    workers.start(ROBOT_MESSAGES_PER_MINUTE="3", ROBOT_WINDOW_SECONDS=str(window))
    group = world.groups.bureau
    GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群", webhook_url=robot_server.wecom_url)
    for n in range(1, 7):
        notification_send(kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[], occasion=f"limit{n}",
                          title=f"通知{n}", group=group)

    def held_for_the_next_window():
        return Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__gt=timezone.now())

    # Three out, three waiting for their kept places (unless the machine was so slow that the
    # window passed first: then only the counts below are checked).
    assert _wait(lambda: (len(robot_server.posts) == 3 and held_for_the_next_window().count() == 3)
                 or len(robot_server.posts) == 6, timeout=120)
    held = [d.title for d in held_for_the_next_window().order_by("next_attempt_at")]
    assert _wait(lambda: len(robot_server.posts) == 6, timeout=120)
    times = [post.received_at for post in robot_server.posts]
    busiest = max(sum(1 for t in times if start <= t < start + window) for start in times)
    assert busiest == 3, f"{busiest} posts within one window of {window} s"
    assert times[3] - times[0] >= window
    titles = [post.body["markdown"]["content"].splitlines()[0] for post in robot_server.posts]
    if len(held) == 3:
        # The held ones are the three that went out a window later. Their places are kept in the
        # order they asked, milliseconds apart: two workers waking together may post two of them
        # swapped, so only which ones, not their order, is fixed.
        assert sorted(titles[3:]) == sorted(f"#### {title}" for title in held)
    assert sorted(titles) == [f"#### 通知{n}" for n in range(1, 7)]
    # The robot has the sixth post a moment before its worker records it as sent.
    assert _wait(lambda: Delivery.objects.filter(status=Delivery.Status.SENT).count() == 6, timeout=30)
