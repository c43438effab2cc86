"""No GET changes data or starts heavy work.

Every URL pattern of the permission walk is opened with GET by a member, the staff and a leader,
and the SQL it runs is read: no INSERT, UPDATE or DELETE but the session's own row (saved on
every request for the idle timeout) and the audit trail (which records downloads). Reading a
notification, opening a bulletin, a meeting's notice or a daily-reading article, making a
calendar address and building a PDF are POSTs (a button, or the page posting when it opens).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studygroup.tests.test_permissions import EXPECTATIONS

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
ALLOWED_TABLES = ("django_session", "audit_", "axes_")


def _writes(queries) -> list[str]:
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and not match.group(1).startswith(ALLOWED_TABLES):
            found.append(query["sql"][:160])
    return found


NAMESPACES = sorted({name.split(":")[0] if ":" in name else "" for name in EXPECTATIONS})


@pytest.mark.django_db
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_no_get_writes_anything(namespace, world, client):
    """One world per app (each app's objects are built once on it), every page of the app."""
    offenders = []
    urls = []
    for name in sorted(EXPECTATIONS):
        if (name.split(":")[0] if ":" in name else "") != namespace:
            continue
        kwargs_for, _expected = EXPECTATIONS[name]
        urls.append((name, reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)))
    for role in ("member", "staff", "leader"):
        client.force_login(getattr(world, role))
        for name, url in urls:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code < 500, (role, url)
            writes = _writes(captured.captured_queries)
            if writes:
                offenders.append(f"{role} GET {url} ({name}): {writes}")
    assert not offenders, "GET requests that write:\n" + "\n".join(offenders)


@pytest.mark.django_db
def test_the_scan_sees_a_write(world, client):
    from members.notifications.models import NotificationKind
    from members.notifications.services import notification_send

    notification, = notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau,
                                       recipients=[world.member], title="通知", robots=False)
    client.force_login(world.member)
    with CaptureQueriesContext(connection) as captured:
        client.post(reverse("notifications:notification-open", args=[notification.pk]))
    assert any("notifications_notification" in sql for sql in _writes(captured.captured_queries))
