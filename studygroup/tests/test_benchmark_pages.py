"""manage.py benchmark_pages on the seeded demo (seeded once for the module, committed, emptied
at the end), its throughput through a real gunicorn, and the one list of main pages
(studygroup.main_pages)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from studygroup import main_pages

# Each test in a transaction rolled back (the demo below is committed before); the throughput
# test commits, for gunicorn to see its sessions.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.sqlite_run]

KEYS = {"page", "role", "queries", "p50_ms", "p95_ms", "sql_ms", "bytes"}
# Every role of the demo opens these; the bulletin is the staff's and the leader's, the audit
# log the auditor's (the province's staff come from seed_scale, not seed_demo).
EVERYONE = [
    "home", "work:work-search?q=学习", "work:work-search?q=调研", "work:work-list", "meetings:meeting-list",
    "meetings:meeting-calendar", "plans:plan-list", "members:person-list", "members:organization-list",
    "reports:review-list", "work:theory-test-list", "work:question-list",
]
EXPECTED = (
    {(page, role) for page in EVERYONE for role in ("member", "county staff", "leader", "auditor")}
    | {("reports:bulletin-detail", "county staff"), ("reports:bulletin-detail", "leader"), ("audit:log", "auditor")}
)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo (seed_demo: every app's, the administrators' backup codes), committed (not
    inside a test's transaction), for every test of the module."""
    from studygroup import demo

    with django_db_blocker.unblock():
        demo.seed(build_pdfs=False)
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def measured(seeded):
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_pages", "--json", "--repeat", "2", "--no-throughput", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_pages", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- the list -------------------------------------------------------------------------------------


def test_every_main_page_resolves_to_its_url_name():
    for page in main_pages.MAIN_PAGES:
        try:
            path = reverse(page.url_name, args=[1] if page.model else [])
        except NoReverseMatch:
            pytest.fail(f"{page.url_name} does not reverse")
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"{page.url_name}: {path} does not resolve")
        assert match.view_name == page.url_name


def test_the_list_holds_the_pages_the_benchmark_promises():
    labels = [page.label for page in main_pages.MAIN_PAGES]
    assert set(EVERYONE) | {"reports:bulletin-detail", "audit:log"} <= set(labels)
    assert len(labels) == len(set(labels))


def test_the_baseline_page_is_not_mounted_by_default():
    with pytest.raises(NoReverseMatch):
        reverse("benchmark-baseline")
    with pytest.raises(Resolver404):
        resolve("/benchmark/baseline/")


# --- in this process ------------------------------------------------------------------------------


def test_json_has_every_page_of_every_role_with_sane_numbers(measured):
    out, _err = measured
    assert out.count("\n") == 1
    results = json.loads(out)
    assert isinstance(results, list)
    assert all(set(row) == KEYS for row in results), results[:2]
    assert {(row["page"], row["role"]) for row in results} == EXPECTED
    for row in results:
        assert 3 <= row["queries"] < 80, row  # session, user, the page's own
        assert 0 < row["p50_ms"] <= row["p95_ms"] < 10_000, row
        assert 0 < row["sql_ms"] <= row["p95_ms"], row
        assert row["bytes"] > 2000, row
    assert not any(row["page"] == "throughput" for row in results)


def test_text_has_the_scale_the_table_and_what_was_skipped(seeded):
    out, _err = run("--repeat", "1", "--no-throughput", "--role", "member", "--role", "province staff")
    assert "Scale" in out
    assert "organisations" in out
    assert "search entries" in out
    assert "page" in out
    assert "p95 ms" in out
    assert "meetings:meeting-list" in out
    # The audit log is the auditor's: the member's 403 is listed, not measured.
    assert any(line.startswith("audit:log") and "skipped: HTTP 403" in line for line in out.splitlines())
    assert "province staff: skipped, no account demo-province-staff" in out
    assert "Throughput: not measured" in out


def test_compare_fails_naming_the_page_whose_query_count_differs(measured, tmp_path):
    earlier = json.loads(measured[0])
    for row in earlier:
        if row["page"] == "meetings:meeting-list" and row["role"] == "member":
            row["queries"] += 1
    earlier.append({"page": "reports:dashboard", "role": "member", "queries": 5})
    file = tmp_path / "earlier.json"
    file.write_text(json.dumps(earlier, ensure_ascii=False))
    with pytest.raises(CommandError, match=r"meetings:meeting-list \(member\)"):
        run("--repeat", "1", "--no-throughput", "--role", "member", "--compare", str(file))


def test_compare_passes_when_the_counts_are_equal(measured, tmp_path):
    file = tmp_path / "earlier.json"
    file.write_text(measured[0])
    out, _err = run("--repeat", "1", "--no-throughput", "--role", "member", "--compare", str(file))
    assert f"Compared with the earlier run: {len(EVERYONE)} pages in both." in out
    # The other roles of the earlier run are reported, and do not fail it.
    assert "audit:log (auditor): only in the earlier run" in out


def test_paths_for_prints_each_persons_paths(seeded):
    out, _err = run("--paths-for", "demo-staff", "demo-member")
    paths = json.loads(out)
    assert paths["demo-member"][:3] == ["/", "/work/search/?q=学习", "/work/search/?q=调研"]
    assert any(path.startswith("/reports/bulletins/") for path in paths["demo-staff"])
    assert "/audit/" in paths["demo-staff"]
    with pytest.raises(CommandError, match="no-such-person"):
        run("--paths-for", "no-such-person")
