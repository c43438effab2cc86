"""Calendar files (.ics of a meeting, the personal feed) stay valid whatever was typed in a
title, place or plan: line breaks are escaped or folded, other control characters dropped."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from sessions import services
from sessions.exports import ics_text
from sessions.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

# (No NUL: PostgreSQL does not store it, and the forms refuse it; ics_text drops it all the same.)
TITLE = "学习贯彻\n全会精神\r\n专题研讨\x07\x1b\x7f\u2028第二行"
VENUE = "县委三楼\r第一会议室;,\\\x0c"
PLAN = "一、领学\r\n二、研讨\x0b三、总结\x01"


def _event(content: bytes):
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return event


def test_a_meeting_file_with_line_breaks_and_control_characters_parses(world, client):
    meeting = MeetingFactory(group=world.groups.bureau, title=TITLE, venue=VENUE, session_plan=PLAN)
    client.force_login(world.member)
    response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
    assert response.status_code == 200
    for byte in range(32):
        if byte not in (9, 10, 13):
            assert bytes([byte]) not in response.content, byte
    assert b"\x7f" not in response.content
    event = _event(response.content)
    assert str(event["summary"]) == "学习贯彻 全会精神 专题研讨 第二行"
    assert str(event["location"]) == "县委三楼 第一会议室;,\\"
    description = str(event["description"])
    assert "一、领学\n二、研讨\n三、总结" in description
    calendar = Calendar.from_ical(response.content)
    assert "\n" not in str(calendar["x-wr-calname"])


def test_the_personal_feed_with_such_a_meeting_parses(world, client):
    MeetingFactory(group=world.groups.bureau, title=TITLE, venue=VENUE, session_plan=PLAN)
    token = services.feed_for(world.member).token
    response = client.get(reverse("meetings:meeting-feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert str(_event(response.content)["summary"]).startswith("学习贯彻 全会精神")


@pytest.mark.parametrize(
    ("typed", "one_line", "expected"),
    [
        ("a\r\nb", False, "a\nb"), ("a\rb", True, "a b"), ("a\x00b", True, "ab"), ("a\tb", True, "a b"),
        ("a\x85b\u2029c", True, "a b c"), ("", True, ""), (None, True, ""), ("  a \n\n b ", True, "a b"),
    ],
)
def test_ics_text(typed, one_line, expected):
    assert ics_text(typed, one_line=one_line) == expected
