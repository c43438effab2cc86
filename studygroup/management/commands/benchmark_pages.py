"""Measure the main pages for each role, and the meeting list's throughput through gunicorn.

    python manage.py benchmark_pages [--json] [--compare FILE] [--repeat 30] [--seconds 5]
                                     [--no-throughput] [--role ROLE ...]
    python manage.py benchmark_pages --paths-for USERNAME [USERNAME ...]

For each main page (``studygroup.main_pages``, the list the production check and the browser
test walk too) and each role (member, county staff, leader, province staff, auditor: the demo
accounts), in this process: the queries of one request, p50 and p95 over ``--repeat`` requests,
the time spent in SQL (the median request's sum) and the size. A page the role may not open
(403, 404, a redirect) is not measured; the text table lists it as skipped. A role whose account
does not exist (``demo-province-staff`` comes from ``seed_scale``) is skipped and said so.

Then a gunicorn of its own (2 workers, ``deploy/gunicorn.conf.py``, ``DEBUG=0``) on a free
loopback port: 8 threads with kept-alive connections ask for the meeting list as demo-staff for
``--seconds``, then for a trivial logged-in page (one query, the same middleware; mounted only
by ``BENCHMARK_BASELINE_VIEW``, which the command sets in gunicorn's environment), and report
the requests a second of each.

Only ``DATABASE_URL`` is needed: the command sets the hosts, the HTTPS header and the static
files' storage (plain names when no ``collectstatic`` manifest exists) for the client and for
gunicorn itself. ``--json`` prints only one JSON list: an object per (page, role) with
``page``, ``role``, ``queries``, ``p50_ms``, ``p95_ms``, ``sql_ms``, ``bytes``, and one with
``page`` "throughput", ``rps`` and ``baseline_rps``. ``--compare FILE`` reads an earlier
``--json`` output and fails when a page's query count differs.
"""

import http.client
import json
import logging
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from studygroup import main_pages
from studygroup.database_urls import database_url as shared_database_url
from studygroup.audit import twofactor

# (role, demo account)
ROLES = [
    ("member", "demo-member"),
    ("county staff", "demo-staff"),
    ("leader", "demo-leader"),
    ("province staff", "demo-province-staff"),
    ("auditor", "demo-auditor"),
]
THROUGHPUT_USER = "demo-staff"
THROUGHPUT_PAGE = "meetings:meeting-list"
BASELINE_PATH = "/benchmark/baseline/"
THREADS = 8
WORKERS = 2
# The scale the figures were measured on: (what, model label).
SCALE = [
    ("organisations", "members.Organization"),
    ("study groups", "members.StudyGroup"),
    ("people", "members.User"),
    ("meetings", "meetings.Meeting"),
    ("attendance rows", "meetings.Attendance"),
    ("members' work", "work.MemberWork"),
    ("search entries", "work.SearchEntry"),
    ("audit entries", "audit.AuditEntry"),
]
CLIENT_HOST = "testserver"
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


class QueryTimer:
    """``connection.execute_wrapper``: counts the queries and sums their time. Transaction
    control (BEGIN, savepoints) is timed but not counted: what a write issues depends on the
    transaction around the request (none in production, a test's) and the database, not on
    the page."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            if not TRANSACTION_CONTROL.match(sql):
                self.count += 1


def percentile(values, fraction):
    """Nearest rank: the smallest value with at least ``fraction`` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def start_session(user, device=None) -> str:
    """A session in the session store for ``user`` as after a complete login (with ``device``:
    the second step passed); returns its key, the session cookie's value."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = SESSION_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key


def end_session(key):
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).delete()


def manifest_missing() -> bool:
    """The static files' storage names files through a collectstatic manifest that is not there
    (a fresh checkout with DEBUG off): pages could not be rendered with it."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    return isinstance(staticfiles_storage, ManifestFilesMixin) and not staticfiles_storage.hashed_files


def database_url() -> str:
    """The URL of the database this process uses (also the test database under pytest)."""
    try:
        return shared_database_url(connection)
    except ValueError as error:
        raise CommandError(f"gunicorn cannot open this database ({error}): use --no-throughput.") from error


@contextmanager
def quiet_log_handlers():
    """The request log lines (one per request, as in production) are written, but to nowhere:
    they cost what they cost and do not flood the terminal."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                and not isinstance(h, logging.FileHandler)]
    with open(os.devnull, "w") as devnull:
        streams = [handler.setStream(devnull) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, streams):
                handler.setStream(stream)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def width(text) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def pad(text, size, right=False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + str(text) if right else str(text) + gap


class Command(BaseCommand):
    help = "Measure the main pages for each role (queries, p50/p95, SQL time) and the meeting list's throughput."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print only one JSON list on standard output")
        parser.add_argument("--compare", metavar="FILE", help="an earlier --json output: fail when a page's query count differs")
        parser.add_argument("--repeat", type=int, default=30, help="requests per page and role (default 30)")
        parser.add_argument("--seconds", type=float, default=5.0, help="seconds of each throughput run (default 5)")
        parser.add_argument("--no-throughput", action="store_true", help="skip the gunicorn part")
        parser.add_argument("--role", action="append", choices=[role for role, _username in ROLES],
                            help="measure only this role (repeatable; default: every role)")
        parser.add_argument("--paths-for", nargs="+", metavar="USERNAME",
                            help="print the main pages' paths for these people as one JSON object, and nothing else")

    def handle(self, *, compare, repeat, seconds, no_throughput, role, paths_for, **options):
        as_json = options["json"]
        if paths_for:
            self.print_paths(paths_for)
            return
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        # Text goes to standard error with --json: standard output holds the JSON list only.
        self.out = self.stderr if as_json else self.stdout
        earlier = self.read_compare(compare) if compare else None
        # WhiteNoise warns about a STATIC_ROOT that collectstatic never wrote: nothing is served from it here.
        warnings.filterwarnings("ignore", message="No directory at")
        plain_static = manifest_missing()

        scale = self.scale()
        rows, skipped = self.measure_pages(repeat, set(role or [r for r, _u in ROLES]), plain_static)
        throughput = None if no_throughput else self.measure_throughput(seconds, plain_static)

        results = [
            {key: row[key] for key in ("page", "role", "queries", "p50_ms", "p95_ms", "sql_ms", "bytes")} for row in rows
        ]
        if throughput is not None:
            results.append({"page": "throughput", **throughput})
        if as_json:
            self.stdout.write(_json_dumps(results))
        else:
            self.print_text(scale, rows, skipped, throughput, repeat, seconds)
        if earlier is not None:
            self.compare(earlier, results)

    # --- the list for other tools ----------------------------------------------------------------

    def print_paths(self, usernames):
        users = {user.username: user for user in get_user_model()._default_manager.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"No such account: {', '.join(missing)}")
        self.stdout.write(_json_dumps({name: main_pages.paths_for(users[name]) for name in usernames}))

    # --- in this process -------------------------------------------------------------------------

    def scale(self):
        return [(what, apps.get_model(label)._default_manager.count()) for what, label in SCALE]

    def client_settings(self, plain_static):
        overrides = {"ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, CLIENT_HOST]}
        if plain_static:
            overrides["STORAGES"] = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
        return overrides

    def measure_pages(self, repeat, roles, plain_static):
        """Rows {page, role, queries, p50_ms, p95_ms, sql_ms, bytes}; skipped (role, page, reason)."""
        User = get_user_model()
        rows, skipped = [], []
        # The pages activate each reader's language and leave it active: give back the caller's.
        with override_settings(**self.client_settings(plain_static)), quiet_log_handlers(), \
                translation.override(translation.get_language()):
            for role, username in ROLES:
                if role not in roles:
                    continue
                user = User._default_manager.filter(username=username).first()
                if user is None:
                    skipped.append((role, None, f"no account {username}"))
                    continue
                device = None
                if twofactor.is_required(user):
                    device = next(iter(devices_for_user(user, confirmed=True)), None)
                    if device is None:
                        skipped.append((role, None, f"{username} needs two-factor login and has no device"))
                        continue
                key = start_session(user, device)
                client = Client(HTTP_HOST=CLIENT_HOST)
                client.cookies[settings.SESSION_COOKIE_NAME] = key
                try:
                    for page in main_pages.MAIN_PAGES:
                        path = page.path_for(user)
                        if path is None:
                            skipped.append((role, page.label, "nothing to open"))
                            continue
                        row = self.measure_page(client, role, page.label, path, repeat)
                        if isinstance(row, str):
                            skipped.append((role, page.label, row))
                        else:
                            rows.append(row)
                finally:
                    end_session(client.cookies[settings.SESSION_COOKIE_NAME].value or key)
        return rows, skipped

    def measure_page(self, client, role, label, path, repeat):
        """One row, or the reason the page is not measured (the role may not open it)."""
        # The first request decides, and fills what a warm process has (templates, translations).
        response = self.get(client, role, label, path)
        if response.status_code != 200:
            where = response.get("Location", "")
            return f"HTTP {response.status_code}" + (f" → {where}" if where else "")
        times, sql, queries, size = [], [], [], 0
        for _ in range(repeat):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = self.get(client, role, label, path)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{role} {label}: {path} answered {response.status_code} after 200")
            times.append(elapsed * 1000)
            sql.append(timer.seconds * 1000)
            queries.append(timer.count)
            size = len(response.content)
        return {
            "page": label,
            "role": role,
            "path": path,
            "queries": max(queries),
            "queries_varied": min(queries) != max(queries),
            "p50_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "sql_ms": round(statistics.median(sql), 1),
            "bytes": size,
        }

    @staticmethod
    def get(client, role, label, path):
        try:
            return client.get(path, secure=True)
        except Exception as error:  # the page failed (500): name it
            raise CommandError(f"{role} {label}: {path} failed: {error!r}") from error

    # --- through gunicorn ------------------------------------------------------------------------

    def measure_throughput(self, seconds, plain_static):
        user = get_user_model()._default_manager.filter(username=THROUGHPUT_USER).first()
        if user is None:
            raise CommandError(f"The throughput run logs in as {THROUGHPUT_USER} (seed_demo): it does not exist. "
                               "Use --no-throughput.")
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "studygroup.settings",
            "DEBUG": "0",
            "DATABASE_URL": database_url(),
            # The sessions made here must be valid there (their hash is signed with the key).
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "BENCHMARK_BASELINE_VIEW": "1",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(WORKERS),
            "PYTHONWARNINGS": "ignore::UserWarning",
        }
        if plain_static or not (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file():
            # No collectstatic output for gunicorn's manifest storage: plain names.
            env["STATICFILES_PLAIN"] = "1"
        # One session (one browser) per thread, as eight people would.
        keys = [start_session(user) for _ in range(THREADS)]
        log = tempfile.TemporaryFile()
        config = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(config), "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--max-requests", "0", "studygroup.wsgi:application"],
            env=env, cwd=settings.BASE_DIR, stdout=log, stderr=log, start_new_session=True,
        )
        try:
            meeting_list = reverse(THROUGHPUT_PAGE)
            self.wait_until_ready(process, port, keys[0], log)
            # Both workers warm (imports, templates, the first connection), not measured.
            warm = min(2.0, max(0.3, seconds / 5))
            self.hammer(process, port, meeting_list, keys, warm, log)
            self.hammer(process, port, BASELINE_PATH, keys, warm / 2, log)
            rps = self.hammer(process, port, meeting_list, keys, seconds, log)
            baseline_rps = self.hammer(process, port, BASELINE_PATH, keys, seconds, log)
        finally:
            self.stop(process)
            log.close()
            for key in keys:
                end_session(key)
        return {"rps": round(rps, 1), "baseline_rps": round(baseline_rps, 1)}

    @staticmethod
    def headers(key):
        return {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}",
            # As nginx says it: the site is HTTPS (SECURE_SSL_REDIRECT stays as configured).
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            "User-Agent": "studygroup-benchmark-pages",
        }

    def fail(self, message, log):
        log.seek(0)
        tail = log.read()[-3000:].decode("utf-8", errors="replace").splitlines()[-20:]
        raise CommandError(message + ("\ngunicorn's last lines:\n" + "\n".join(tail) if tail else ""))

    def wait_until_ready(self, process, port, key, log, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.fail(f"gunicorn exited ({process.returncode}) before answering.", log)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", BASELINE_PATH, headers=self.headers(key))
                response = conn.getresponse()
                response.read()
                conn.close()
            except OSError:
                time.sleep(0.1)
                continue
            if response.status != 200:
                self.fail(f"gunicorn answered {BASELINE_PATH} with {response.status} "
                          f"{response.getheader('Location') or ''}", log)
            return
        self.fail(f"gunicorn did not answer within {timeout} s.", log)

    def hammer(self, process, port, path, keys, seconds, log):
        """Requests a second: len(keys) threads, each with its session and a kept-alive
        connection (opened again when the server closes it), for ``seconds``."""
        done = [0] * len(keys)
        errors = []
        deadline = time.perf_counter() + seconds

        def run(index):
            headers = self.headers(keys[index])
            conn = None
            failures = 0
            while time.perf_counter() < deadline and not errors:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = None
                    failures += 1
                    if failures > 20:
                        errors.append(f"{path}: {error!r}")
                    continue
                if response.status != 200:
                    errors.append(f"{path} answered {response.status}")
                    break
                failures = 0
                done[index] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            if conn is not None:
                conn.close()

        threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(len(keys))]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if errors or process.poll() is not None:
            self.fail(errors[0] if errors else f"gunicorn exited ({process.returncode}).", log)
        return sum(done) / elapsed

    @staticmethod
    def stop(process):
        """SIGTERM to gunicorn (its workers finish and stop), then to the whole group if needed."""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
                return
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=15)

    # --- output ----------------------------------------------------------------------------------

    def print_text(self, scale, rows, skipped, throughput, repeat, seconds):
        out = self.out
        out.write(f"Scale ({connection.vendor}, database {connection.settings_dict['NAME']}):")
        out.write("  " + ", ".join(f"{count} {what}" for what, count in scale))
        header = ["page", "role", "queries", "p50 ms", "p95 ms", "sql ms", "kB"]
        table = [[row["page"], row["role"], str(row["queries"]) + ("*" if row["queries_varied"] else ""),
                  f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}", f"{row['sql_ms']:.1f}", f"{row['bytes'] / 1024:.1f}"]
                 for row in rows]
        table += [[page, role, f"skipped: {reason}", "", "", "", ""] for role, page, reason in skipped if page]
        order = {page.label: index for index, page in enumerate(main_pages.MAIN_PAGES)}
        roles = {role: index for index, (role, _username) in enumerate(ROLES)}
        table.sort(key=lambda line: (order.get(line[0], 99), roles.get(line[1], 99)))
        sizes = [max([width(h)] + [width(line[i]) for line in table if not line[2].startswith("skipped")])
                 for i, h in enumerate(header)]
        out.write("")
        out.write(f"Pages ({repeat} requests each, in this process):")
        for line in [header, *table]:
            if line[2].startswith("skipped"):
                out.write(("  ".join([pad(line[0], sizes[0]), pad(line[1], sizes[1]), line[2]])).rstrip())
                continue
            cells = [pad(line[0], sizes[0]), pad(line[1], sizes[1])]
            cells += [pad(cell, sizes[i + 2], right=True) for i, cell in enumerate(line[2:])]
            out.write("  ".join(cells).rstrip())
        if any(row["queries_varied"] for row in rows):
            out.write("* the count varied between requests: the highest is shown")
        for role, page, reason in skipped:
            if page is None:
                out.write(f"{role}: skipped, {reason}" + (" (made by seed_scale)" if "province" in role else ""))
        out.write("")
        if throughput is None:
            out.write("Throughput: not measured (--no-throughput)")
        else:
            out.write(
                f"Throughput (gunicorn, {WORKERS} workers, {THREADS} threads, {seconds:g} s each, as {THROUGHPUT_USER}): "
                f"{THROUGHPUT_PAGE} {throughput['rps']:.1f} requests/s, "
                f"trivial logged-in page {throughput['baseline_rps']:.1f} requests/s"
            )

    # --- --compare ------------------------------------------------------------------------------

    def read_compare(self, filename):
        try:
            data = json.loads(Path(filename).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {filename}: {error}") from error
        if not isinstance(data, list):
            raise CommandError(f"{filename} is not a benchmark_pages --json list.")
        return data

    def compare(self, earlier, results):
        def counts(items):
            return {(item["page"], item["role"]): item["queries"] for item in items
                    if isinstance(item, dict) and "role" in item and "queries" in item}

        before, now = counts(earlier), counts(results)
        differ = [(key, before[key], now[key]) for key in before if key in now and before[key] != now[key]]
        only_before = [key for key in before if key not in now]
        only_now = [key for key in now if key not in before]
        out = self.out
        out.write(f"Compared with the earlier run: {len(set(before) & set(now))} pages in both.")
        for (page, role), old, new in differ:
            out.write(f"  {page} ({role}): {old} → {new} queries")
        for page, role in only_before:
            out.write(f"  {page} ({role}): only in the earlier run")
        for page, role in only_now:
            out.write(f"  {page} ({role}): only in this run")
        if differ:
            raise CommandError("Query counts differ: " + ", ".join(
                f"{page} ({role}) {old} → {new}" for (page, role), old, new in differ))


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
