"""What operations sees: request ids, one JSON log line per request and per task, /healthz.

- Every request gets an id: nginx's (``X-Request-ID``, one per request it proxies) when it is
  well-formed, else a new one. It is ``request.request_id`` (the audit trail records it), the
  ``X-Request-ID`` response header, on the error pages (a user can quote it) and on every log
  line written while the request runs. Tasks queued during the request carry it too.
- ``JsonFormatter`` writes one JSON object a line: time, level, logger, message, and the
  request's or task's fields (user id, method, path, status, duration, request id, task).
- ``/healthz`` answers 200 or 503 with the state of each configured part (database, Redis, a
  worker's heartbeat), nothing else: no versions, no error texts.

Importable without Django set up (gunicorn's logging configuration uses ``JsonFormatter``).
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id", default="")

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; accept the usual forms of other proxies, nothing else.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEALTH_PATH = "/healthz"

request_logger = logging.getLogger("studygroup.request")
task_logger = logging.getLogger("studygroup.task")

# Attributes a log record may carry (``extra=``) that the JSON line shows as fields.
EXTRA_FIELDS = (
    "request_id", "user_id", "method", "path", "status", "duration_ms", "ip",
    "task", "task_id", "state",
)


# Paths whose last part is a secret (an activation link's token): logged without it.
SECRET_PATH_PREFIXES = ("/activate/",)


def logged_path(path: str) -> str:
    for prefix in SECRET_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + "…"
    return path


class JsonFormatter(logging.Formatter):
    """One JSON object a line, UTF-8 (Chinese stays readable)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value not in (None, ""):
                data[field] = value
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        elif record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Adds the id of the request (or task) being handled to every record written meanwhile."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


def incoming_request_id(value: str | None) -> str:
    """The proxy's request id when it is well-formed; otherwise a new one."""
    if value and VALID_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def _user_id(request):
    """The signed-in user's id, without loading the user only to log it."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class RequestLogMiddleware:
    """Gives each request its id and writes its log line when the response is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            status = response.status_code
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            if request.path == HEALTH_PATH and status == 200:
                level = logging.DEBUG  # a load balancer asks every few seconds
            path = logged_path(request.path)
            request_logger.log(
                level,
                "%s %s %s", request.method, path, status,
                extra={
                    "request_id": request_id,
                    "user_id": _user_id(request),
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def health_checks(only=None) -> dict[str, bool]:
    """The state of each configured part: True when it answers. Parts not configured (no broker
    in the embedded default) are not listed; ``only`` limits the checks to the parts named."""
    from django.conf import settings
    from django.db import connections

    checks = {}
    wanted = set(only) if only else {"database", "redis", "worker"}
    if "database" in wanted:
        checks["database"] = _database_answers(connections["default"])
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")) and wanted & {"redis", "worker"}:
        import redis

        try:
            client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
            redis_up = bool(client.ping())
            worker_up = bool(client.exists(settings.WORKER_HEARTBEAT_KEY))
        except Exception:  # noqa: BLE001 - any failure means "down"; the reason stays in the log
            logging.getLogger("studygroup.health").exception("redis check failed")
            redis_up = worker_up = False
        if "redis" in wanted:
            checks["redis"] = redis_up
        if "worker" in wanted:
            checks["worker"] = worker_up
    return checks


def _database_answers(connection) -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "down"; the reason stays in the log
        logging.getLogger("studygroup.health").exception("database check failed")
        return False


class HealthCheckMiddleware:
    """``GET /healthz``: 200 when every configured part answers, else 503; no login, no host
    check (a load balancer probes each machine by its address), never cached.
    ``/healthz?only=database,redis`` checks only those parts: a load balancer should not take
    every web machine out because the worker stopped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        from django.http import JsonResponse

        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        only = [part for part in request.GET.get("only", "").split(",") if part]
        checks = health_checks(only)
        healthy = all(checks.values())
        response = JsonResponse(
            {"status": "ok" if healthy else "down", "checks": {k: "ok" if v else "down" for k, v in checks.items()}},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response


# --- Celery: task log lines, the request id carried into tasks, the worker's heartbeat ----------


def connect_celery_signals():
    """Called once by ``studygroup.celery``."""
    from celery import signals

    signals.before_task_publish.connect(_carry_request_id, weak=False)
    signals.task_prerun.connect(_task_started, weak=False)
    signals.task_postrun.connect(_task_finished, weak=False)


def _carry_request_id(sender=None, headers=None, **kwargs):
    request_id = current_request_id.get()
    if headers is not None and request_id:
        headers.setdefault("request_id", request_id)


_task_started_at: dict[str, tuple[float, contextvars.Token]] = {}


def _task_started(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) or task_id
    _task_started_at[task_id] = (time.monotonic(), current_request_id.set(request_id))


def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started, token = _task_started_at.pop(task_id, (None, None))
    duration_ms = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    task_logger.log(
        logging.ERROR if state == "FAILURE" else logging.INFO,
        "task %s %s", task.name, state,
        extra={
            "request_id": current_request_id.get(),
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": duration_ms,
        },
    )
    if token is not None:
        try:
            current_request_id.reset(token)
        except ValueError:  # set in another context (eager tasks inside a request)
            pass


def heartbeat_step():
    """A worker bootstep that writes ``WORKER_HEARTBEAT_KEY`` into Redis every
    ``WORKER_HEARTBEAT_SECONDS`` (expiring after three periods) while the worker runs."""
    from celery import bootsteps

    class Heartbeat(bootsteps.StartStopStep):
        requires = {"celery.worker.components:Timer"}

        def __init__(self, worker, **kwargs):
            super().__init__(worker, **kwargs)
            self.timer_ref = None
            self.client = None

        def start(self, worker):
            from django.conf import settings

            broker = settings.CELERY_BROKER_URL
            if not broker.startswith(("redis://", "rediss://")):
                return
            import redis

            self.client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
            period = settings.WORKER_HEARTBEAT_SECONDS
            self.key = settings.WORKER_HEARTBEAT_KEY
            self.beat(worker, period)
            self.timer_ref = worker.timer.call_repeatedly(period, self.beat, (worker, period), priority=10)

        def beat(self, worker, period):
            try:
                self.client.set(self.key, json.dumps({"hostname": worker.hostname, "at": time.time()}), ex=period * 3)
            except Exception:  # noqa: BLE001 - Redis away: the health check will say so
                logging.getLogger("studygroup.health").warning("could not write the worker heartbeat")

        def stop(self, worker):
            if self.timer_ref is not None:
                self.timer_ref.cancel()
                self.timer_ref = None

    return Heartbeat
