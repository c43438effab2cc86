"""Constructed records with hand-counted figures, for the reports tests.

``records_2025_h1(world)`` builds, for the county's education bureau group, the first half of
2025 with every figure known in advance (``EXPECTED``), plus records that must NOT count
(other periods, other groups, not held, not accepted).
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from members.models import Organization, StudyGroup
from members.tests.factories import MembershipFactory, OrganizationFactory, StudyGroupFactory, UserFactory
from members.work.models import MemberWork, WorkKind, WorkStatus
from plans.models import AnnualPlan, ScheduleEntry, Topic
from reports.models import Inspection, RectificationItem
from sessions.models import (
    Attendance,
    FirstAgendaStudy,
    Meeting,
    Minutes,
    Observation,
    ObservationPoint,
    PublicityReport,
    Speech,
)

YEAR = 2025


def at(day: date, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def meeting(group, day, kind="group_study", status="held", title=None, **fields):
    m = Meeting.objects.create(
        group=group, title=title or f"{day:%m月%d日}学习", kind=kind, starts_at=at(day), ends_at=at(day, 11),
        status=status, cancel_reason="因故取消" if status == "cancelled" else "", **fields,
    )
    return m


def attend(meeting, user, status, **fields):
    row = Attendance.objects.create(
        meeting=meeting, user=user, status=status, leave_reason="出差" if status == "leave" else "", **fields
    )
    Attendance.objects.filter(pk=row.pk).update(created_at=meeting.ends_at)  # entered on the day
    return row


def work(group, author, kind, day, status=WorkStatus.ACCEPTED, late=False, **fields):
    submitted = at(day + timedelta(days=40 if late else 1))
    return MemberWork.objects.create(
        group=group, author=author, kind=kind, year=day.year, title=f"{kind} {day}", body="正文", occurred_on=day,
        status=status, first_submitted_at=submitted if status != WorkStatus.DRAFT else None, **fields,
    )


def plan(group, year=YEAR, meetings=12, discussions=4, status=AnnualPlan.Status.PUBLISHED):
    return AnnualPlan.objects.create(
        group=group, year=year, title=f"{year}年学习计划", status=status, meetings_per_year=meetings,
        discussions_per_year=discussions, articles_per_member=2,
    )


def topic(plan, title, month):
    t = Topic.objects.create(plan=plan, title=title, position=month)
    ScheduleEntry.objects.create(plan=plan, topic=t, month=month)
    return t


EXPECTED = {
    "meetings": 3, "meetings_quota": 6, "discussions": 1, "discussions_quota": 2, "lectures": 1,
    "reading_classes": 0, "attendance_rate": 50.0, "attendance_rows": 4, "attended": 2, "makeup_owed": 1,
    "topics_planned": 2, "topics_covered": 1, "first_agenda": 1, "reflections": 1, "notes": 1,
    "research_reports": 1, "articles": 1, "lectures_given": 1, "late_work": 1, "records_complete": 1,
    "records_rate": 38.1,  # 8 of 21: M1 all seven, M2 its (late) minutes, M3 none "backfilled": 1, "observations": 1, "observation_score": 80.0, "rect_open": 3,
    "rect_overdue": 1, "rect_confirmed": 1, "members": 2, "articles_quota": 2,
}


def records_2025_h1(world):
    group = world.groups.bureau
    member, other = world.member, world.other_member
    p = plan(group)
    t1 = topic(p, "学习贯彻党的二十届三中全会精神", 3)
    topic(p, "习近平法治思想", 5)
    topic(p, "总体国家安全观", 9)  # second half: not planned in the first

    # M1: complete on all seven records.
    m1 = meeting(group, date(YEAR, 3, 10), session_plan="学习方案：原文通读、重点发言")
    m1.topics.add(t1)
    attend(m1, member, "present")
    attend(m1, other, "late")
    minutes = Minutes.objects.create(meeting=m1, text="会议记录", entered_by=world.staff)
    Minutes.objects.filter(pk=minutes.pk).update(entered_at=m1.ends_at)
    Speech.objects.create(meeting=m1, speaker=member, title="重点发言", entered_by=world.staff)
    PublicityReport.objects.create(meeting=m1, title="报道", text="报道正文", entered_by=world.staff)
    work(group, member, WorkKind.NOTE, date(YEAR, 3, 10), meeting=m1)
    # M2: a discussion, archived, with an absence and a leave made up; minutes written 40 days late.
    m2 = meeting(group, date(YEAR, 4, 15), kind="discussion", status="archived")
    attend(m2, member, "absent")
    attend(m2, other, "leave", makeup_confirmed_at=at(date(YEAR, 4, 20)), makeup_content="自学")
    late_minutes = Minutes.objects.create(meeting=m2, text="补记的会议记录", entered_by=world.staff)
    Minutes.objects.filter(pk=late_minutes.pk).update(entered_at=m2.ends_at + timedelta(days=40))
    # M3: an expert lecture.
    meeting(group, date(YEAR, 5, 20), kind="lecture")
    # Not counted: planned (not held), cancelled, the second half, another group.
    meeting(group, date(YEAR, 6, 1), kind="discussion", status="planned")
    meeting(group, date(YEAR, 2, 1), status="cancelled")
    meeting(group, date(YEAR, 7, 5))
    meeting(world.groups.township, date(YEAR, 3, 3))

    FirstAgendaStudy.objects.create(organization=world.bureau, held_on=date(YEAR, 3, 1), meeting_name="党组会", studied="重要讲话", created_by=world.staff)
    FirstAgendaStudy.objects.create(organization=world.bureau, held_on=date(YEAR, 8, 1), meeting_name="党组会", studied="重要讲话", created_by=world.staff)
    FirstAgendaStudy.objects.create(organization=world.township, held_on=date(YEAR, 3, 1), meeting_name="党委会", studied="重要讲话", created_by=world.staff)

    work(group, other, WorkKind.REFLECTION, date(YEAR, 3, 12))
    work(group, other, WorkKind.REFLECTION, date(YEAR, 3, 13), status=WorkStatus.SUBMITTED)  # not accepted
    work(group, member, WorkKind.RESEARCH, date(YEAR, 4, 1))
    work(group, member, WorkKind.ARTICLE, date(YEAR, 5, 1), level="city", outlet="临川日报")
    work(group, member, WorkKind.ARTICLE, date(YEAR, 5, 2), level="county", outlet="青山通讯")  # below city
    work(group, other, WorkKind.LECTURE, date(YEAR, 6, 1), late=True)  # submitted 40 days after
    work(group, other, WorkKind.REFLECTION, date(YEAR, 9, 1))  # second half

    observation = Observation.objects.create(meeting=m1, organization=world.county, observers="宣传部", score=80, grade="good", comments="发言准备充分", recorded_by=world.staff)
    ObservationPoint.objects.create(observation=observation, text="研讨不够深入")

    inspection = Inspection.objects.create(organization=world.county, group=group, held_on=date(YEAR, 4, 1), inspectors="宣传部督导组")
    for status, deadline in [
        ("open", date(YEAR, 5, 1)), ("in_progress", date(2099, 1, 1)), ("reported", date(YEAR, 5, 1)), ("confirmed", date(YEAR, 5, 1)),
    ]:
        RectificationItem.objects.create(organization=world.county, group=group, inspection=inspection, finding=f"问题（{status}）", deadline=deadline, status=status)
    return {"plan": p, "m1": m1, "m2": m2, "inspection": inspection, "observation": observation}


def many_groups(parent: Organization, n: int) -> list[StudyGroup]:
    """``n`` groups under ``parent``, each with a plan, two members and a held meeting."""
    groups = []
    for i in range(n):
        org = OrganizationFactory(parent=parent, name=f"中共测试单位{i}党组", kind=Organization.Kind.PARTY_GROUP, level=Organization.Level.DEPARTMENT)
        group = StudyGroupFactory(organization=org)
        for _ in range(2):
            MembershipFactory(group=group, user=UserFactory())
        plan(group)
        meeting(group, date(YEAR, 3, 1 + i % 27))
        groups.append(group)
    return groups
