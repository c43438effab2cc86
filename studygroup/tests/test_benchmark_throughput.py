"""``benchmark_pages``' throughput through a real gunicorn of its own, which opens the test
database: on PostgreSQL (an in-memory SQLite test database is the test process's alone)."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.postgresql_run


def run(*arguments):
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_pages", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_throughput_through_a_real_gunicorn():
    """gunicorn opens the test database: the data is committed."""
    from members.models import OrganizationAssignment
    from members.tests.factories import AssignmentFactory, OrganizationFactory, UserFactory

    county = OrganizationFactory(name="中共青山县委员会")
    staff = UserFactory(username="demo-staff", organization=county)
    AssignmentFactory(user=staff, organization=county, role=OrganizationAssignment.Role.STAFF)
    out, _err = run("--json", "--repeat", "1", "--role", "member", "--seconds", "1")
    results = json.loads(out)
    throughput = [row for row in results if row["page"] == "throughput"]
    assert len(throughput) == 1
    assert set(throughput[0]) == {"page", "rps", "baseline_rps"}
    assert throughput[0]["rps"] > 0
    # The trivial page (one query) is faster than the meeting list.
    assert throughput[0]["baseline_rps"] > throughput[0]["rps"]
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()  # the command's sessions are gone
