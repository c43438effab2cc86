"""Fixtures shared by every app's tests."""

import copy
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import translation

from members.models import Membership, Organization, OrganizationAssignment
from members.tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    OrganizationFactory,
    StudyGroupFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def forget_cached_organisations():
    """The audit trail caches which organisation an object belongs to by id; a rolled-back test
    database (SQLite) gives the same ids to other objects in the next test."""
    from studygroup.audit import organizations

    organizations.forget()


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language: a page a test opens with an English reader's
    cookie activates English and leaves it active in the thread (Django's locale middleware does
    not give it back), which would make a later test's messages English."""
    translation.deactivate()
    yield
    translation.deactivate()


# Tests that take from ten seconds to a minute (a browser, a real worker, the whole demo) start
# first: a run that ends waiting for one of them wastes the other workers' time.
HEAVY_MARKERS = ("browser", "celery", "backup", "slow")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: 0 if any(item.get_closest_marker(name) for name in HEAVY_MARKERS) else 1)


# --- data built once per test module (as Django's TestCase.setUpTestData) --------------------------

# Fixtures that make a test transactional: it commits, so it cannot run inside a module's transaction.
TRANSACTIONAL_FIXTURES = {
    "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback",
}


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="module")
def module_transaction(request, django_db_setup, django_db_blocker):
    """A transaction open while the module's tests run, for data they all start from: each test
    runs in a savepoint inside it (pytest-django's ``db``) and leaves it as it found it. ``None``
    when the module has a transactional test, which needs the database to itself: the module's
    tests then build their data each."""
    items = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    if any(is_transactional(item) for item in items):
        yield None
        return
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield django_db_blocker
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def built_once_per_module(module_transaction, build):
    """``build()``'s objects, made once in the module's transaction; ``None`` without one."""
    if module_transaction is None:
        return None
    with module_transaction.unblock():
        return build()


@pytest.fixture(scope="module")
def _module_world(module_transaction):
    return built_once_per_module(module_transaction, build_world)


@pytest.fixture
def world(_module_world, db):
    """A small tree with one person in each role the permission rules know (see ``build_world``):
    built once per module, each test gets its own copy of the objects."""
    if _module_world is None:
        return build_world()
    return copy.deepcopy(_module_world)


def build_world():
    """A small tree with one person in each role the permission rules know.

    city ── county ── bureau, township      (county's staff, leader and members)
         └─ sibling county ── sibling bureau (the sibling's staff)
    """
    city = OrganizationFactory(name="中共临川市委员会", level=Organization.Level.CITY)
    county = OrganizationFactory(parent=city, name="中共青山县委员会")
    bureau = OrganizationFactory(
        parent=county, name="中共青山县教育局党组", kind=Organization.Kind.PARTY_GROUP,
        level=Organization.Level.DEPARTMENT,
    )
    township = OrganizationFactory(parent=county, name="中共青山县城关镇委员会", level=Organization.Level.TOWNSHIP)
    sibling = OrganizationFactory(parent=city, name="中共白水县委员会")
    sibling_bureau = OrganizationFactory(
        parent=sibling, name="中共白水县教育局党组", kind=Organization.Kind.PARTY_GROUP,
        level=Organization.Level.DEPARTMENT,
    )
    groups = SimpleNamespace(
        city=StudyGroupFactory(organization=city),
        county=StudyGroupFactory(organization=county),
        bureau=StudyGroupFactory(organization=bureau),
        township=StudyGroupFactory(organization=township),
        sibling=StudyGroupFactory(organization=sibling),
        sibling_bureau=StudyGroupFactory(organization=sibling_bureau),
    )
    staff = UserFactory(username="staff", name="宣传部干事", organization=county)
    AssignmentFactory(user=staff, organization=county, role=OrganizationAssignment.Role.STAFF)
    leader = UserFactory(username="leader", name="县委书记", organization=city)
    AssignmentFactory(user=leader, organization=city, role=OrganizationAssignment.Role.LEADER)
    member = UserFactory(username="member", name="教育局局长", organization=bureau)
    MembershipFactory(user=member, group=groups.bureau, role=Membership.Role.LEADER)
    other_member = UserFactory(username="other_member", name="教育局副局长", organization=bureau)
    MembershipFactory(user=other_member, group=groups.bureau, role=Membership.Role.DEPUTY)
    township_member = UserFactory(username="township_member", name="镇党委书记", organization=township)
    MembershipFactory(user=township_member, group=groups.township)
    sibling_staff = UserFactory(username="sibling_staff", name="白水县干事", organization=sibling)
    AssignmentFactory(user=sibling_staff, organization=sibling, role=OrganizationAssignment.Role.STAFF)
    sibling_member = UserFactory(username="sibling_member", name="白水县局长", organization=sibling_bureau)
    MembershipFactory(user=sibling_member, group=groups.sibling_bureau)
    return SimpleNamespace(
        city=city, county=county, bureau=bureau, township=township, sibling=sibling,
        sibling_bureau=sibling_bureau, groups=groups, staff=staff, leader=leader, member=member,
        other_member=other_member, township_member=township_member, sibling_staff=sibling_staff,
        sibling_member=sibling_member,
    )


@pytest.fixture
def city_staff(world):
    """Staff of the city: the supervising organisation's staff for the county's groups (where
    overdue items are escalated)."""
    person = UserFactory(username="city_staff", name="市委宣传部干事", organization=world.city)
    AssignmentFactory(user=person, organization=world.city, role=OrganizationAssignment.Role.STAFF)
    return person


@pytest.fixture
def demo(db):
    """The seed_demo data, as the README's first command creates it."""
    from members import demo as members_demo

    return members_demo.seed()


def _flush_through_the_guarded_way():
    """Transactional and browser tests empty every table at teardown (TRUNCATE on PostgreSQL,
    DELETE on SQLite); the audit table refuses both except through the one guarded way
    (``studygroup.audit.purge.purge_allowed``), which the flush uses here."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from studygroup.audit.purge import purge_allowed

    def execute_sql_flush(self, sql_list):
        with purge_allowed(self.connection.alias):
            with self.connection.cursor() as cursor:
                for sql in sql_list:
                    cursor.execute(sql)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush


_flush_through_the_guarded_way()


def force_login_verified(client, user):
    """Log ``user`` in as after a complete login: when two-factor login is required for them,
    the session passed the second step (with a backup-code device made for the purpose)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from studygroup.audit import twofactor

    client.force_login(user)
    if twofactor.is_required(user):
        device, _ = StaticDevice.objects.get_or_create(user=user, name=twofactor.BACKUP_NAME, defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client logged in as that user (None: anonymous); people
    who must use two-factor login (administrators, superusers) have passed it."""

    def login(user):
        client.logout()
        if user is not None:
            force_login_verified(client, user)
        return client

    return login


def worker_database_url() -> str:
    """The URL of the test database this process uses, for a worker process to open the same
    one (SQLite: the file-based test database of ``studygroup.test_settings``; PostgreSQL: the
    ``test_`` database pytest-django created)."""
    from django.db import connection

    from studygroup.database_urls import database_url

    try:
        return database_url(connection)
    except ValueError as error:
        pytest.fail(f"No worker database URL: {error}. Run with TEST_SQLITE_FILE=1 (a file, not memory).")


def start_celery_worker(broker, queue, database_url, extra_env=None, loglevel="WARNING"):
    """Start ``celery worker`` as a separate process on ``queue``, using ``studygroup.settings``
    with the test database and ``extra_env`` (e.g. SMTP host and port)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studygroup.settings",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "DATABASE_URL": database_url,
        # Tasks the worker queues itself (a retry, the sweeper's sends) stay on its queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SECRET_KEY": "celery-test-worker-secret-key-not-for-production-use",
        # /healthz reads the worker's heartbeat: written every second in tests.
        "WORKER_HEARTBEAT_SECONDS": "1",
        # Each test worker beats under its own key: the other test process's worker shares the broker.
        "WORKER_HEARTBEAT_KEY": f"studygroup:worker-heartbeat:{queue}",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studygroup", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle", f"--loglevel={loglevel}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process on the real Redis, started once for the session.

    The broker comes from CELERY_TEST_BROKER_URL (the README's test command sets it). The worker
    runs the project's own tasks in a separate process, as in production; a private queue keeps
    parallel runs apart. It opens the test database (``DATABASE_URL``), so tests that use it
    with ``django_db(transaction=True)`` see their data in the worker and the worker's writes.
    """
    import os
    import subprocess
    import uuid

    import redis

    broker = os.environ.get("CELERY_TEST_BROKER_URL")
    if not broker:
        pytest.fail("CELERY_TEST_BROKER_URL is not set: the Celery tests need a real Redis.")
    redis.Redis.from_url(broker).ping()  # fails loudly when Redis is down

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        database_url = worker_database_url()
    from django.conf import settings as django_settings

    # The test process reads the files the worker stores (built PDFs): the same media folder;
    # without collectstatic output the worker names static files plainly.
    worker = start_celery_worker(
        broker, queue, database_url, {"MEDIA_ROOT": str(django_settings.MEDIA_ROOT), "STATICFILES_PLAIN": "1"}
    )
    try:
        yield SimpleNamespace(queue=queue, process=worker, broker=broker)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture
def celery_worker(celery_worker_process):
    """Point the project's Celery app at the real worker for one test, then back to eager."""
    from studygroup.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    broker = celery_worker_process.broker
    app.conf.update(
        broker_url=broker,
        result_backend=broker,
        task_always_eager=False,
        task_default_queue=celery_worker_process.queue,
    )
    _reset_celery_connections(app)
    try:
        _wait_for_worker(app, celery_worker_process.process)
        yield SimpleNamespace(app=app, **vars(celery_worker_process))
    finally:
        app.conf.update(saved)
        _reset_celery_connections(app)


def _reset_celery_connections(app):
    """Forget pooled connections and the result backend, as Celery does after a fork, so the
    next task uses the broker now configured. (Closing the pools would close kombu's shared
    ones for good.)"""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _wait_for_worker(app, worker, timeout=60):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail("The Celery worker exited: " + worker.stderr.read().decode(errors="replace"))
        if app.control.ping(timeout=0.5):
            return
    pytest.fail("The Celery worker did not answer within %s s." % timeout)


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download here)."""
    import os

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body stay synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab; ``page.base_url`` is the live server."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.fixture
def phone_page(chromium, live_server):
    """A tab the size of a phone, for checking pages are usable on one."""
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def browser_login(tab, username, password, code=None):
    """Log in in the browser; ``code``: the second step's code for people with two-factor login
    (see ``give_backup_code``)."""
    tab.goto(f"{tab.base_url}/accounts/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()
    if code is not None:
        tab.fill("input[name=code]", code)
        tab.click("main button[type=submit]")
        tab.wait_for_load_state()


def give_backup_code(user, code: str) -> str:
    """A one-time backup code for ``user`` (two-factor login), for browser tests."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from studygroup.audit import twofactor

    device, _ = StaticDevice.objects.get_or_create(user=user, name=twofactor.BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.create(token=code)
    return code


@pytest.fixture
def plan_world(world):
    """``world`` with plans of its groups (see ``plans.tests.factories.plan_world``)."""
    from plans.tests.factories import plan_world as build

    build(world)
    return world


# --- notifications (issue 8): a local SMTP server and a local robot webhook server ----------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the session; ``.messages`` holds what it
    received as ``email.message.EmailMessage`` objects (clear it per test with ``.reset()``)."""
    import email
    import email.policy
    import threading

    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    received = []
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            with lock:
                received.append(SimpleNamespace(rcpt=list(envelope.rcpt_tos), message=message))
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SimpleNamespace(host="127.0.0.1", port=port, messages=received, reset=received.clear)
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The SMTP server for one test, with Django's mail pointed at it."""
    smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@pytest.fixture
def robot_server(settings):
    """A local DingTalk/WeCom robot on 127.0.0.1, which the administrators' robot host list
    allows (``ROBOT_EXTRA_HOSTS``): loopback is refused for any host not on it."""
    from members.notifications.robot_sink import RobotServer

    settings.ROBOT_EXTRA_HOSTS = [*settings.ROBOT_EXTRA_HOSTS, "127.0.0.1"]
    server = RobotServer()
    try:
        yield server
    finally:
        server.stop()
