"""Management commands that print figures: given --json, one JSON object on standard output and
nothing else (their text goes to standard error), for scripts and monitoring."""

import io
import json

import pytest
from django.core.management import call_command

COMMANDS = [
    ("setup_schedules", [], {"created"}),
    ("purge_login_log", [], {"deleted_logins", "deleted_failures", "before"}),
    ("benchmark_similarity", ["--texts", "40", "--checks", "3"], {"median_ms", "p95_ms", "texts"}),
    ("benchmark_bulletin", ["--groups", "3", "--runs", "1"], {"render_seconds", "pages", "bytes"}),
    ("benchmark_pdf", ["--groups", "3", "--repeat", "1"], {"runs", "groups"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, arguments, keys", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_figure_commands_print_only_json_with_json(name, arguments, keys):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *arguments, "--json", stdout=out, stderr=err)
    figures = json.loads(out.getvalue())
    assert keys <= set(figures)
    assert out.getvalue().count("\n") == 1


@pytest.mark.django_db
def test_figure_commands_write_text_for_people_without_json():
    out = io.StringIO()
    call_command("setup_schedules", stdout=out)
    assert "periodic task(s) created" in out.getvalue()
    with pytest.raises(json.JSONDecodeError):
        json.loads(out.getvalue())
