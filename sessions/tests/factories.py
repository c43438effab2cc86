"""Factories of the meetings app, and ``meeting_world``: meetings on top of the shared ``world``."""

from datetime import timedelta
from types import SimpleNamespace

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from members.tests.factories import StudyGroupFactory, UserFactory
from sessions.models import (
    Attendance,
    FirstAgendaStudy,
    FollowUpMeasure,
    Material,
    Meeting,
    Minutes,
    Observation,
    ObservationPoint,
    PublicityReport,
    Speech,
)

# A small valid PDF: enough for the content check (it starts with %PDF-).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _past_start():
    return (timezone.now() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(StudyGroupFactory)
    title = factory.Sequence(lambda n: f"第{n}次集体学习：深入学习党的创新理论")
    kind = Meeting.Kind.GROUP_STUDY
    starts_at = factory.LazyFunction(_past_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue = "县委第一会议室"
    session_plan = ""
    status = Meeting.Status.NOTIFIED


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    status = Attendance.Status.PRESENT


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory)
    text = "会议由组长主持，传达学习了有关精神，与会同志逐一交流发言。"
    entered_by = factory.SubFactory(UserFactory)


class SpeechFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speech

    meeting = factory.SubFactory(MeetingFactory)
    speaker = factory.SubFactory(UserFactory)
    title = "立足岗位抓落实"
    kind = Speech.Kind.KEYNOTE
    entered_by = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityReport

    meeting = factory.SubFactory(MeetingFactory)
    title = "县委理论学习中心组召开集体学习会"
    text = "会议强调，要把学习成果转化为推动发展的实际成效。"
    entered_by = factory.SubFactory(UserFactory)


class LinkMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    meeting = factory.SubFactory(MeetingFactory)
    group = factory.LazyAttribute(lambda o: o.meeting.group)
    title = "学习资料汇编（链接）"
    url = "https://example.org/readings"
    uploaded_by = factory.SubFactory(UserFactory)


class FirstAgendaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirstAgendaStudy

    organization = None
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    meeting_name = factory.Sequence(lambda n: f"县委常委会第{n}次会议")
    studied = "习近平总书记在中央经济工作会议上的重要讲话精神"
    source = "新华社"
    led_by = "县委书记"
    created_by = factory.SubFactory(UserFactory)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpMeasure

    study = factory.SubFactory(FirstAgendaFactory)
    description = "制定贯彻落实工作方案，明确责任分工"
    owner = "县委办公室"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    meeting = factory.SubFactory(MeetingFactory)
    organization = None
    observers = "县委宣传部理论科"
    score = 88
    grade = Observation.Grade.GOOD
    comments = "学习准备充分，研讨发言联系实际。"
    recorded_by = factory.SubFactory(UserFactory)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObservationPoint

    observation = factory.SubFactory(ObservationFactory)
    text = "个别发言联系实际不够紧密。"


def meeting_world(world):
    """Objects of the county's bureau group for the permission walk, built once per ``world``:
    a past meeting with the member absent (make-up owed), minutes, a speech, a material, an
    observation visit by the county with a point, and a first-agenda study of the county."""
    if hasattr(world, "meetings"):
        return world.meetings
    meeting = MeetingFactory(group=world.groups.bureau, title="教育局党组理论学习中心组集体学习")
    absent = AttendanceFactory(meeting=meeting, user=world.member, status=Attendance.Status.ABSENT)
    AttendanceFactory(meeting=meeting, user=world.other_member)
    MinutesFactory(meeting=meeting, entered_by=world.staff)
    speech = SpeechFactory(meeting=meeting, speaker=world.other_member, entered_by=world.staff)
    material = LinkMaterialFactory(
        meeting=meeting, uploaded_by=world.staff, url="", title="学习资料汇编",
        file=ContentFile(PDF_BYTES, name="readings.pdf"), original_name="学习资料汇编.pdf",
        content_type="application/pdf", size=len(PDF_BYTES),
    )
    observation = ObservationFactory(meeting=meeting, organization=world.county, recorded_by=world.staff)
    point = PointFactory(observation=observation)
    study = FirstAgendaFactory(organization=world.county, created_by=world.staff)
    measure = MeasureFactory(study=study)
    from plans.tests.factories import TopicFactory

    topic = TopicFactory(plan__group=world.groups.bureau)
    world.meetings = SimpleNamespace(
        meeting=meeting, absent=absent, speech=speech, material=material, observation=observation,
        point=point, study=study, measure=measure, topic=topic,
    )
    return world.meetings
