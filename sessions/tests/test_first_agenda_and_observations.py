from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sessions import selectors, services
from sessions.models import FirstAgendaStudy, FollowUpMeasure, Observation
from sessions.tests.factories import (
    FirstAgendaFactory,
    MeasureFactory,
    MeetingFactory,
    ObservationFactory,
    PointFactory,
)

pytestmark = pytest.mark.django_db


def test_first_agenda_with_measures_and_open_count(world):
    study = services.first_agenda_create(
        by=world.staff, organization=world.county, held_on=timezone.localdate(), meeting_name="县委常委会第5次会议",
        studied="习近平总书记关于深化改革的重要讲话", source="新华社", source_date=timezone.localdate() - timedelta(days=3),
        led_by="县委书记",
    )
    first = services.measure_add(by=world.staff, study=study, description="制定工作方案", owner="县委办")
    services.measure_add(by=world.staff, study=study, description="开展专题调研", owner="县委政研室",
                         due_on=timezone.localdate() + timedelta(days=30))
    services.measure_update(by=world.staff, measure=first, description=first.description, owner=first.owner,
                            due_on=None, done=True)
    first.refresh_from_db()
    assert first.done
    assert first.done_on == timezone.localdate()
    summary = selectors.first_agenda_summary(FirstAgendaStudy.objects.all())
    assert summary["studies"] == 1
    assert summary["measures"] == 2
    assert summary["open_total"] == 1
    listed = selectors.first_agenda_list(FirstAgendaStudy.objects.all()).get()
    assert listed.open_count == 1


def test_first_agenda_speech_dated_after_the_meeting_is_refused(world):
    with pytest.raises(ValidationError):
        services.first_agenda_create(
            by=world.staff, organization=world.county, held_on=timezone.localdate(), meeting_name="常委会",
            studied="讲话", source_date=timezone.localdate() + timedelta(days=1),
        )


def test_first_agenda_of_another_county_is_refused_and_hidden(world, client):
    with pytest.raises(PermissionDenied):
        services.first_agenda_create(by=world.sibling_staff, organization=world.county, held_on=timezone.localdate(),
                                     meeting_name="常委会", studied="讲话")
    study = FirstAgendaFactory(organization=world.county, created_by=world.staff)
    client.force_login(world.sibling_staff)
    assert client.get(reverse("meetings:first-agenda-detail", args=[study.pk])).status_code == 404
    assert study.meeting_name not in client.get(reverse("meetings:first-agenda-list")).content.decode()


def test_first_agenda_list_shows_the_year_and_open_measures(world, client):
    study = FirstAgendaFactory(organization=world.county, created_by=world.staff)
    MeasureFactory(study=study, description="抓好贯彻落实的具体举措")
    client.force_login(world.leader)
    body = client.get(reverse("meetings:first-agenda-list")).content.decode()
    assert study.meeting_name in body
    assert "抓好贯彻落实的具体举措" in body


def test_measure_marked_done_through_the_page(world, client):
    measure = MeasureFactory(study=FirstAgendaFactory(organization=world.county, created_by=world.staff))
    client.force_login(world.staff)
    client.post(reverse("meetings:measure-update", args=[measure.pk]), {
        "description": measure.description, "owner": measure.owner, "done": "on", "done_note": "已印发方案",
    })
    measure.refresh_from_db()
    assert measure.done
    assert measure.done_note == "已印发方案"
    assert not FollowUpMeasure.objects.open().exists()


# --- observation visits -----------------------------------------------------------------------


def test_observation_by_the_supervising_county_and_answers_by_the_group(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    observation = services.observation_create(
        by=world.staff, meeting=meeting, organization=world.county, observers="县委宣传部", score=85,
        grade=Observation.Grade.GOOD, comments="准备充分", points=["研讨联系实际不够", "", "会议记录过于简略"],
    )
    assert observation.points.count() == 2
    assert selectors.open_points_for(world.staff).count() == 2
    point = observation.points.first()
    services.observation_point_answer(by=world.staff, point=point, answer="已要求发言结合分管工作")
    assert selectors.open_points_for(world.staff).count() == 1
    with pytest.raises(PermissionDenied):
        services.observation_point_answer(by=world.member, point=point, answer="成员不能答复")


def test_observation_of_ones_own_or_a_foreign_group_is_refused(world):
    own = MeetingFactory(group=world.groups.county)
    with pytest.raises(PermissionDenied):
        services.observation_create(by=world.staff, meeting=own, organization=world.county, observers="本级")
    foreign = MeetingFactory(group=world.groups.sibling_bureau)
    with pytest.raises(PermissionDenied):
        services.observation_create(by=world.staff, meeting=foreign, organization=world.county, observers="外县")


def test_observation_of_a_future_meeting_is_refused(world):
    start = timezone.now() + timedelta(days=3)
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=start, ends_at=start + timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.observation_create(by=world.staff, meeting=meeting, organization=world.county, observers="县委宣传部")


def test_observation_recorded_through_the_page_and_hidden_from_members(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(reverse("meetings:observation-create", args=[meeting.pk]), {
        "organization": world.county.pk, "observers": "县委宣传部理论科", "score": "92", "grade": "excellent",
        "comments": "气氛热烈", "points": "个别成员未提前自学\n发言稿照本宣科",
    })
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert observation.points.count() == 2
    client.force_login(world.member)
    assert client.get(observation.get_absolute_url()).status_code == 404
    client.force_login(world.staff)
    body = client.get(observation.get_absolute_url()).content.decode()
    assert "待答复" in body


def test_observation_score_over_100_is_refused(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(reverse("meetings:observation-create", args=[meeting.pk]), {
        "organization": world.county.pk, "observers": "县委宣传部", "score": "120",
    })
    assert response.status_code == 200
    assert not Observation.objects.exists()


# --- list pages: the query count does not grow with the rows ------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_first_agenda_list_query_count_does_not_grow(world, client):
    study = FirstAgendaFactory(organization=world.county, created_by=world.staff)
    MeasureFactory(study=study)
    client.force_login(world.staff)
    url = reverse("meetings:first-agenda-list")
    client.get(url)  # warm: session, content types
    one = _queries(client, url)
    for n in range(6):
        study = FirstAgendaFactory(organization=world.county, created_by=world.leader if n % 2 else world.staff)
        MeasureFactory.create_batch(2, study=study)
        MeasureFactory(study=study, done=True, done_on=timezone.localdate())
    assert _queries(client, url) == one
    assert client.get(url).context["paginator"].count == 7


def test_observation_list_query_count_does_not_grow(world, client):
    observation = ObservationFactory(meeting=MeetingFactory(group=world.groups.bureau), organization=world.county,
                                     recorded_by=world.staff)
    PointFactory(observation=observation)
    client.force_login(world.staff)
    url = reverse("meetings:observation-list")
    client.get(url)  # warm: session, content types
    one = _queries(client, url)
    for n in range(6):
        group = world.groups.township if n % 2 else world.groups.bureau
        observation = ObservationFactory(meeting=MeetingFactory(group=group), organization=world.county,
                                         recorded_by=world.leader if n % 2 else world.staff)
        PointFactory.create_batch(2, observation=observation)
    assert _queries(client, url) == one
    assert client.get(url).context["paginator"].count == 7
