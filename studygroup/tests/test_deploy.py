"""The files in deploy/ agree with the settings and with each other, and README.md's
production section is what scripts/production-check runs (that script runs them for real)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
NGINX = (DEPLOY / "nginx" / "studygroup.conf").read_text()
CHECK_SCRIPT = (BASE_DIR / "scripts" / "production-check").read_text()
README = (BASE_DIR / "README.md").read_text()
SERVICES = ["studygroup-web", "studygroup-worker", "studygroup-beat"]


def env_template() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "studygroup.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def gunicorn_config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", DEPLOY / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unit(name) -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def nginx_seconds(directive) -> int:
    return int(re.search(rf"^\s*{directive}\s+(\d+)s;", NGINX, flags=re.M).group(1))


def location(prefix) -> str:
    match = re.search(rf"location {re.escape(prefix)} \{{(.*?)\n    \}}", NGINX, flags=re.S)
    assert match, f"no location {prefix}"
    return match.group(1)


# --- nginx against the app ---------------------------------------------------------------------


def test_nginx_takes_the_largest_upload_the_app_takes_and_not_much_more():
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1))
    caps = {name: getattr(settings, name) for name in dir(settings) if name.endswith("_MAX_UPLOAD_MB")}
    assert caps, "no upload caps in the settings"
    largest = max(caps.values())
    assert largest < limit_mb <= largest + 2, f"client_max_body_size {limit_mb}m against the caps {caps}"


def test_nginx_waits_a_little_longer_than_gunicorn_and_gunicorn_longer_than_a_pdf_build_wait():
    import inspect

    from reports.services import build_now

    pdf_wait = inspect.signature(build_now).parameters["wait_seconds"].default
    timeout = gunicorn_config().timeout
    assert pdf_wait < timeout
    assert timeout < nginx_seconds("proxy_read_timeout") <= timeout + 10
    assert nginx_seconds("proxy_send_timeout") == nginx_seconds("proxy_read_timeout")


def test_uploaded_files_leave_only_through_the_internal_location_the_app_redirects_to():
    assert "location /media" not in NGINX
    protected = location(settings.SENDFILE_URL + "/")
    assert "internal;" in protected
    assert f"alias {env_template()['MEDIA_ROOT']}/;" in protected
    assert "add_header X-Content-Type-Options nosniff always;" in protected


def test_nginx_serves_the_collected_static_files_with_long_cache_only_for_hashed_names():
    static = location(settings.STATIC_URL)
    root = re.search(r"root (\S+);", static).group(1)
    assert f"{root}{settings.STATIC_URL}".rstrip("/") == env_template()["STATIC_ROOT"]
    assert "gzip_static on;" in static
    assert '"public, max-age=3600"' in static
    assert re.search(r'location ~ "\\\.\[0-9a-f\]\{12\}.*max-age=31536000, immutable', static, flags=re.S)


def test_nginx_passes_the_client_address_the_request_id_and_the_scheme():
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme", "X-Request-ID $request_id"):
        assert f"proxy_set_header {header};" in NGINX
    assert env_template()["TRUSTED_PROXY_COUNT"] == "1"
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_nginx_proxies_to_where_gunicorn_listens():
    upstream = re.search(r"upstream studygroup_app \{.*?server (\S+) ", NGINX, flags=re.S).group(1)
    assert upstream == env_template()["GUNICORN_BIND"]


def test_nginx_speaks_tls_and_http2_and_redirects_plain_http():
    assert "listen 443 ssl http2;" in NGINX
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in NGINX
    assert "return 301 https://$host$request_uri;" in NGINX
    assert "server_tokens off;" in NGINX


# --- systemd units, the environment file -------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_unprivileged_restarts_and_reads_the_environment_file(name):
    service = unit(f"{name}.service")
    assert service["User"] == "studygroup"
    assert service["Group"] == "studygroup"
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/studygroup/studygroup.env"
    assert service["WorkingDirectory"] == "/srv/studygroup/app"
    assert service["ExecStart"].startswith("/srv/studygroup/app/.venv/bin/")
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"


def test_the_nightly_backup_writes_where_the_readme_says_and_keeps_two_weeks():
    backup = unit("studygroup-backup.service")
    assert backup["User"] == "studygroup"
    assert backup["ExecStart"].endswith("manage.py backup --output /var/backups/studygroup --keep 14")
    assert backup["ReadWritePaths"] == "/var/backups/studygroup"
    assert unit("studygroup-backup.timer")["OnCalendar"] == "*-*-* 02:30:00"


def test_the_services_may_write_the_uploaded_files():
    for name in ("studygroup-web", "studygroup-worker"):
        assert unit(f"{name}.service")["ReadWritePaths"] == env_template()["MEDIA_ROOT"]


def test_the_environment_file_names_production_settings():
    values = env_template()
    assert values["DEBUG"] == "0"
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "CELERY_BROKER_URL",
                 "MEDIA_ROOT", "STATIC_ROOT", "SITE_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"):
        assert values.get(name), name
    assert not any(value.startswith(("'", '"')) for value in values.values()), "systemd and bash read it alike"


def test_run_unit_reads_a_unit_and_its_environment_file(tmp_path):
    spec = importlib.util.spec_from_loader("run_unit", loader=None)
    run_unit = importlib.util.module_from_spec(spec)
    exec((BASE_DIR / "scripts" / "run-unit").read_text(), run_unit.__dict__)
    entries = dict(run_unit.read_unit(DEPLOY / "systemd" / "studygroup-web.service"))
    assert entries["ExecStart"].endswith("studygroup.wsgi:application")
    environment = tmp_path / "env"
    environment.write_text("# comment\nA=1\nB=\"two words\"\n\nC=x=y\n")
    assert run_unit.read_environment_file(environment) == {"A": "1", "B": "two words", "C": "x=y"}


# --- README's production section is the check --------------------------------------------------

# The names the README sets and the check sets to its own paths and ports.
README_VARIABLES = ("APP", "DATA", "CONF", "BACKUPS", "LOGS", "TLS", "UNITS", "SITES", "HOST", "DB_NAME", "DB_USER")


def production_commands() -> list[str]:
    section = README.split("## Running in production", 1)[1]
    section = re.split(r"\n## (?!#)", section, maxsplit=1)[0]
    commands = []
    for marker, block in re.findall(r"(<!--[^>]*-->\n)?```sh\n(.*?)```", section, flags=re.S):
        if "not run by scripts/production-check" in marker:
            continue
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            line = re.sub(r"\s+", " ", line)
            if line and not re.match(rf"^({'|'.join(README_VARIABLES)})=", line):
                commands.append(line)
    return commands


def test_readme_production_commands_are_what_the_check_runs():
    script = re.sub(r"[ \t]+", " ", CHECK_SCRIPT.replace("\\\n", " "))
    commands = production_commands()
    assert len(commands) >= 30
    missing = [c for c in commands if c not in script]
    assert not missing, "README commands scripts/production-check does not run:\n" + "\n".join(missing)


def test_the_check_sets_every_name_the_readme_sets():
    for name in README_VARIABLES:
        assert re.search(rf"^{name}=", CHECK_SCRIPT, flags=re.M), name


def test_ci_runs_the_production_check_after_the_suite():
    ci = (BASE_DIR / ".ci" / "run").read_text()
    assert ci.index("scripts/test") < ci.index("scripts/production-check")
