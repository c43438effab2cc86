"""What operations sees: /healthz, request ids (header, error pages, logs), JSON log lines."""

import json
import logging
import re

import pytest
from django.urls import reverse

from studygroup.observability import JsonFormatter

HEX32 = re.compile(r"^[0-9a-f]{32}$")


# --- /healthz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_without_login_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_needs_no_known_host_and_no_https(client, settings):
    """A load balancer probes each machine by its address, over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["study.example.gov.cn"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8001")
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_names_redis_and_the_worker_down_and_nothing_else(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "checks": {"database": "ok", "redis": "down", "worker": "down"}}


@pytest.mark.django_db
def test_healthz_names_the_database_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise RuntimeError("connection refused by a test")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body) == {"status": "down", "checks": {"database": "down"}}
    assert "refused" not in body


@pytest.mark.django_db
def test_healthz_checks_only_the_parts_a_load_balancer_names(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz?only=database")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert client.get("/healthz?only=database,redis").json()["checks"] == {"database": "ok", "redis": "down"}


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_healthz_sees_a_running_worker_by_its_heartbeat(celery_worker, client, settings):
    import time

    import redis

    settings.CELERY_BROKER_URL = celery_worker.broker
    settings.WORKER_HEARTBEAT_KEY = key = f"studygroup:worker-heartbeat:{celery_worker.queue}"
    connection = redis.Redis.from_url(celery_worker.broker)
    connection.delete(key)
    assert client.get("/healthz").json()["checks"]["worker"] == "down"
    # The worker beats between tasks (solo pool): one still busy with an earlier test's task
    # beats when it is done.
    deadline = time.monotonic() + 90
    while not connection.exists(key) and time.monotonic() < deadline:
        time.sleep(0.2)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


# --- request ids ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("login"))
    assert HEX32.match(response["X-Request-ID"])
    assert client.get(reverse("login"))["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert kept["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    replaced = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert HEX32.match(replaced["X-Request-ID"])


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_show_the_request_id(world, client):
    client.force_login(world.sibling_staff)
    missing = client.get(reverse("members:group-detail", kwargs={"pk": world.groups.bureau.pk}))
    assert missing.status_code == 404
    assert missing["X-Request-ID"] in missing.content.decode()
    client.force_login(world.member)
    forbidden = client.get(reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk}))
    assert forbidden.status_code == 403
    assert forbidden["X-Request-ID"] in forbidden.content.decode()


@pytest.mark.django_db
def test_server_error_page_shows_the_request_id(world, client, monkeypatch):
    from studygroup.views import Home

    def broken(self, **kwargs):
        raise RuntimeError("broken by a test")

    monkeypatch.setattr(Home, "get_context_data", broken)
    client.raise_request_exception = False
    client.force_login(world.staff)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    body = response.content.decode()
    assert response["X-Request-ID"] in body
    assert "broken by a test" not in body


# --- JSON log lines ---------------------------------------------------------------------------


def _as_json(record) -> dict:
    return json.loads(JsonFormatter().format(record))


@pytest.mark.django_db
def test_each_request_writes_one_json_line_with_who_what_and_how_long(world, client, caplog):
    client.force_login(world.staff)
    with caplog.at_level(logging.INFO, logger="studygroup.request"):
        response = client.get(reverse("members:group-list"))
    records = [r for r in caplog.records if r.name == "studygroup.request"]
    assert len(records) == 1
    line = _as_json(records[0])
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == world.staff.pk
    assert line["path"] == reverse("members:group-list")
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client, caplog):
    """Django's own warnings (here: a CSRF refusal) name the request they belong to."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING):
        response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    csrf = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert csrf
    from studygroup.observability import RequestIdFilter

    RequestIdFilter().filter(csrf[0])
    assert _as_json(csrf[0])["request_id"] == response["X-Request-ID"]


def test_each_task_writes_one_json_line_with_its_state_and_duration(caplog):
    from studygroup.tasks import ping

    with caplog.at_level(logging.INFO, logger="studygroup.task"):
        ping.delay()
    records = [r for r in caplog.records if r.name == "studygroup.task"]
    assert len(records) == 1
    line = _as_json(records[0])
    assert line["task"] == "studygroup.ping"
    assert line["state"] == "SUCCESS"
    assert line["duration_ms"] >= 0
    assert line["task_id"]


def test_json_lines_keep_chinese_readable_and_carry_the_traceback():
    try:
        raise ValueError("出错了")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "失败：%s", ("青山县",), sys.exc_info())
    text = JsonFormatter().format(record)
    assert "失败：青山县" in text
    assert "\n" not in text
    assert "出错了" in json.loads(text)["exc_info"]
