"""The shared action view (studygroup/actions.py), through real actions of the plans and the
meetings apps: a confirmation page on GET; on POST the service, a message and the object's page;
a service's ValidationError on the form; 404 out of scope, 403 without the permission.

Pages answer in the site's language (Chinese), so expected texts go through ``_``."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import AnnualPlan
from plans.tests.factories import plan_with_topics
from sessions.models import Meeting
from sessions.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
PlanStatus = AnnualPlan.Status


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def plan_url(name, plan):
    return reverse(f"plans:{name}", kwargs={"pk": plan.pk})


def meeting_url(name, meeting):
    return reverse(f"meetings:{name}", kwargs={"pk": meeting.pk})


# --- GET: the confirmation page --------------------------------------------------------------


def test_get_shows_the_confirmation_page_for_a_plan(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    response = client.get(plan_url("plan-submit", plan))
    assert response.status_code == 200
    assert "action.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert _("Submit to the group leader") in page
    assert plan.title in page
    assert f'href="{plan.get_absolute_url()}"' in page  # the way back


def test_get_shows_the_confirmation_page_for_a_meeting(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.get(meeting_url("meeting-mark-held", meeting))
    assert response.status_code == 200
    assert _("Mark as held") in response.content.decode()


def test_get_changes_nothing(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    client.get(plan_url("plan-submit", plan))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_confirmation_page_wraps_its_buttons_on_a_phone(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    page = client.get(plan_url("plan-submit", plan)).content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert '<div class="d-flex flex-wrap gap-2">' in page


# --- POST: the service, a message, the object's page ------------------------------------------


def test_post_submits_the_plan(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    client.post(plan_url("plan-submit", plan))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_post_redirects_to_the_plan_with_a_message(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(plan_url("plan-submit", plan))
    assert response["Location"] == plan.get_absolute_url()
    assert messages_of(response) == [_("The plan was submitted to the group leader for approval.")]


def test_post_passes_the_note_to_the_service(world, client):
    plan = plan_with_topics(world.groups.bureau, status=PlanStatus.SUBMITTED)
    client.force_login(world.member)  # the group's 组长
    client.post(plan_url("plan-return", plan), {"comment": "请补充调研专题"})
    plan.refresh_from_db()
    assert plan.review_comment == "请补充调研专题"


def test_post_marks_the_meeting_held_and_redirects_with_a_message(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(meeting_url("meeting-mark-held", meeting))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert response["Location"] == meeting.get_absolute_url()
    assert messages_of(response) == [_("The meeting is marked as held.")]


def test_post_with_a_reason_cancels_the_meeting(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(meeting_url("meeting-cancel", meeting), {"reason": "与全县大会冲突"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert response["Location"] == meeting.get_absolute_url()


# --- a ValidationError from the service comes back on the form --------------------------------


def test_service_error_is_shown_on_the_form(world, client):
    plan = plan_with_topics(world.groups.bureau, n=0)  # nothing to submit yet
    client.force_login(world.staff)
    response = client.post(plan_url("plan-submit", plan))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [_("Add at least one topic before submitting the plan.")]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_service_error_keeps_what_the_user_typed(world, client):
    plan = plan_with_topics(world.groups.bureau, status=PlanStatus.PUBLISHED)  # too late to return
    client.force_login(world.member)
    response = client.post(plan_url("plan-return", plan), {"comment": "请补充调研专题"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "请补充调研专题" in response.content.decode()


def test_service_error_on_a_meeting_is_shown_on_the_form(world, client):
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(days=2))
    client.force_login(world.staff)
    response = client.post(meeting_url("meeting-mark-held", meeting))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [_("The meeting has not started yet.")]
    assert messages_of(response) == []


def test_required_note_missing_is_shown_on_its_field(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(meeting_url("meeting-cancel", meeting), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.NOTIFIED


# --- scope and permission -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_plan_out_of_scope_is_404(world, client, method):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.sibling_staff)
    assert getattr(client, method)(plan_url("plan-submit", plan)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_meeting_out_of_scope_is_404(world, client, method):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.sibling_staff)
    assert getattr(client, method)(meeting_url("meeting-mark-held", meeting)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_plan_action_without_the_permission_is_403(world, client, method):
    plan = plan_with_topics(world.groups.bureau, status=PlanStatus.SUBMITTED)
    client.force_login(world.staff)  # manages the group, but approving is the 组长's
    assert getattr(client, method)(plan_url("plan-approve", plan)).status_code == 403


def test_plan_action_without_the_permission_changes_nothing(world, client):
    plan = plan_with_topics(world.groups.bureau, status=PlanStatus.SUBMITTED)
    client.force_login(world.staff)
    client.post(plan_url("plan-approve", plan))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


@pytest.mark.parametrize("method", ["get", "post"])
def test_meeting_action_without_the_permission_is_403(world, client, method):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.other_member)  # sees the meeting, does not manage it
    assert getattr(client, method)(meeting_url("meeting-mark-held", meeting)).status_code == 403


def test_anonymous_is_sent_to_log_in(world, client):
    plan = plan_with_topics(world.groups.bureau)
    response = client.get(plan_url("plan-submit", plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
