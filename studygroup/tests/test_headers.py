"""The Content-Security-Policy on every page, the admin's own looser one, and HSTS preload and
includeSubDomains as settings from the environment (on by default with DEBUG off)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "notifications:notification-list", "meetings:meeting-list", "reports:review-list"])
def test_every_page_has_the_policy(name, world, client):
    client.force_login(world.staff)
    policy = _policy(client.get(reverse(name)))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_the_login_page_and_errors_have_the_policy_too(client):
    assert "'unsafe-inline'" not in client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_only_the_admin_may_use_inline_scripts_and_styles(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="x", email="")
    client.force_login(admin)
    policy = _policy(client.get("/admin/"))
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_handler_or_style():
    """What the policy refuses, the templates must not have (e-mails and PDF-only templates may
    style inline: no browser applies the page policy to them)."""
    allowed = {"notifications/email.html", "documents/benchmark_bulletin.html", "meetings/sign_in_sheet.html"}
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            name = str(path.relative_to(folder))
            if name in allowed:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern, what in [
                (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", "inline <script>"),
                (r"\son[a-z]+\s*=", "on… handler"),
                (r"\sstyle\s*=", "style attribute"),
                (r"javascript:", "javascript: URL"),
                (r"\shx-on", "hx-on handler"),
            ]:
                for match in re.finditer(pattern, text):
                    offenders.append(f"{name}: {what}: {match.group(0)[:60]}")
            # <style> only inside {% if for_pdf %} (WeasyPrint, on the server).
            for match in re.finditer(r"<style", text):
                before = text[: match.start()]
                if before.rfind("{% if for_pdf %}") <= before.rfind("{% endif %}"):
                    offenders.append(f"{name}: <style> outside a PDF-only block")
    assert not offenders, "\n".join(offenders)


def _settings_in_a_process(**environ) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SILENCED_SYSTEM_CHECKS]))"
    )
    # The browser tests of the same process set DJANGO_ALLOW_ASYNC_UNSAFE (Playwright's loop).
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("SECURE_HSTS") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "studygroup.settings", "SECRET_KEY": "x" * 60, **environ})
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=BASE_DIR,
                            env=env, capture_output=True, text=True, check=True)
    import json

    preload, subdomains, silenced = json.loads(result.stdout.strip().splitlines()[-1])
    return {"preload": preload, "subdomains": subdomains, "silenced": silenced}


def test_hsts_preload_and_subdomains_are_on_by_default_without_debug():
    values = _settings_in_a_process(DEBUG="0")
    assert values["preload"] is True
    assert values["subdomains"] is True
    assert "security.W005" not in values["silenced"]
    assert "security.W021" not in values["silenced"]


def test_hsts_preload_and_subdomains_can_be_turned_off():
    values = _settings_in_a_process(DEBUG="0", SECURE_HSTS_PRELOAD="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="0")
    assert values["preload"] is False
    assert values["subdomains"] is False
    # A choice made on purpose: check --deploy --fail-level WARNING stays clean.
    assert {"security.W005", "security.W021"} <= set(values["silenced"])


def test_check_deploy_is_clean_with_the_defaults():
    # The browser tests of the same process set DJANGO_ALLOW_ASYNC_UNSAFE (Playwright's loop).
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("SECURE_HSTS") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "studygroup.settings", "DEBUG": "0", "SECRET_KEY": "k" * 30 + "Q!9z" * 10,
                "ALLOWED_HOSTS": "study.example.gov.cn"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
