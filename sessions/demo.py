"""Demo meetings for ``seed_demo``: a year of meetings for the county committee's group and three
unit groups, with notices, attendance, leave and make-up study, minutes, speeches and reports;
some complete on the seven records, some not, one entered late (补记); upcoming meetings for the
county group (where demo-member sits); first-agenda studies and observation visits.

Idempotent: meetings are found by group and title, the rest by their meeting, so a second run
changes nothing. Timestamps that are evidence (entered at) are set to believable moments after
each meeting, as if entered then.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from members.models import Membership, User, current_q
from sessions import services
from sessions.models import (
    Attendance,
    FirstAgendaStudy,
    FollowUpMeasure,
    Material,
    Meeting,
    MeetingNotice,
    Minutes,
    NoticeRecipient,
    Observation,
    ObservationPoint,
    PublicityReport,
    Speech,
)

TOPIC_WORDS = [
    ("集体学习", Meeting.Kind.GROUP_STUDY),
    ("专题研讨", Meeting.Kind.DISCUSSION),
    ("集体学习", Meeting.Kind.GROUP_STUDY),
    ("专家辅导报告会", Meeting.Kind.LECTURE),
    ("集体学习", Meeting.Kind.GROUP_STUDY),
    ("专题研讨", Meeting.Kind.DISCUSSION),
    ("读书班", Meeting.Kind.READING_CLASS),
    ("集体学习", Meeting.Kind.GROUP_STUDY),
    ("现场教学", Meeting.Kind.ON_SITE),
    ("专题研讨", Meeting.Kind.DISCUSSION),
    ("集体学习", Meeting.Kind.GROUP_STUDY),
]
FALLBACK_SUBJECTS = [
    "学习贯彻全国两会精神", "深入学习习近平文化思想", "学习《习近平谈治国理政》有关篇目", "推进全面从严治党",
    "以学促干推动县域经济高质量发展", "学习贯彻党的纪律处分条例", "铸牢中华民族共同体意识", "乡村全面振兴",
    "安全生产与防灾减灾", "优化营商环境", "学习贯彻中央经济工作会议精神",
]
LEAVE_REASONS = ["赴省委党校参加培训", "带队赴外地招商", "参加市委专题会议", "陪同上级检查调研", "病假"]
SPEECH_TITLES = [
    "立足分管领域抓好贯彻落实", "以问题为导向推动工作落地见效", "把学习成果转化为发展实效",
    "坚持学用结合，推动重点任务攻坚", "结合基层调研谈几点体会", "强化担当作为，提升履职能力",
]
VENUES = ["县委一号会议室", "县委三楼会议室", "机关二楼会议室", "党员教育中心"]
EXPERTS = [("刘振东", "教授", "市委党校"), ("陈思远", "研究员", "省社会科学院")]


def _aware(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def _members(group):
    return list(
        Membership.objects.filter(current_q(), group=group).select_related("user").order_by("role", "user__username")
    )


def _plan_topics(group, year):
    """The current plan's topics by the month the schedule puts them in."""
    try:
        from plans.models import AnnualPlan, ScheduleEntry
    except ImportError:  # pragma: no cover - plans always exists here
        return {}, []
    plan = AnnualPlan.objects.filter(group=group, year=year, is_current=True).first()
    if plan is None:
        return {}, []
    by_month = {}
    for entry in ScheduleEntry.objects.filter(plan=plan).select_related("topic").order_by("month", "pk"):
        by_month.setdefault(entry.month, entry.topic)
    return by_month, list(plan.topics.order_by("position", "pk"))


def _set(model, pk, **fields):
    """Evidence timestamps (auto_now_add) are set after creation, without a history row."""
    model.objects.filter(pk=pk).update(**fields)


def _seed_meeting(group, *, year, month, index, staff, members, topic, rng, profile):
    subject = topic.title if topic else FALLBACK_SUBJECTS[index % len(FALLBACK_SUBJECTS)]
    word, kind = TOPIC_WORDS[index % len(TOPIC_WORDS)]
    title = f"{year}年第{index + 1}次{word}：{subject}"[:200]
    if Meeting.objects.filter(group=group, title=title).exists():
        return None
    day = 8 + rng.randrange(0, 15)
    starts_at = _aware(year, month, day, 9 if rng.random() < 0.7 else 15)
    ends_at = starts_at + timedelta(hours=2, minutes=30)
    expert = EXPERTS[index % len(EXPERTS)] if kind == Meeting.Kind.LECTURE else ("", "", "")
    meeting = Meeting.objects.create(
        group=group, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, venue=rng.choice(VENUES),
        host=members[0].user if members else None, outside_plan=topic is None and profile != "bare",
        outside_plan_reason="" if topic is not None or profile == "bare" else "根据县委统一安排，及时跟进学习最新会议精神",
        expert_name=expert[0], expert_title=expert[1], expert_affiliation=expert[2],
        session_plan="" if profile == "bare" else (
            f"一、领学：{subject}相关重要讲话和文件\n二、重点发言（2至3名成员）\n三、集体研讨交流\n四、组长总结讲话\n"
            "会前请认真阅读学习资料汇编，结合分管工作准备发言提纲。"
        ),
        status=Meeting.Status.ARCHIVED if profile != "recent" else Meeting.Status.HELD,
        held_at=ends_at, archived_at=ends_at + timedelta(days=20) if profile != "recent" else None,
        archived_by=staff if profile != "recent" else None, created_by=staff,
    )
    _set(Meeting, meeting.pk, created_at=starts_at - timedelta(days=12))
    if topic is not None:
        meeting.topics.add(topic)
    if members:
        meeting.lead_speakers.add(members[0].user)
    Material.objects.create(
        group=group, meeting=meeting, title=f"{subject}学习资料汇编", url="https://www.12371.cn/", uploaded_by=staff
    )
    notice = MeetingNotice.objects.create(
        meeting=meeting, sent_by=staff, sent_at=starts_at - timedelta(days=5),
        message="请提前自学资料汇编，准备研讨发言。",
    )
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, user=m.user, read_at=starts_at - timedelta(days=4)) for m in members]
    )
    # Attendance: most present, a late one, one or two on leave, the odd absence.
    entered = ends_at + timedelta(hours=3) if profile != "backfilled" else ends_at + timedelta(days=45)
    rows = []
    for position, membership in enumerate(members):
        roll = rng.random()
        status, reason = Attendance.Status.PRESENT, ""
        if position > 1 and roll < 0.12:
            status, reason = Attendance.Status.LEAVE, rng.choice(LEAVE_REASONS)
        elif position > 1 and roll < 0.16:
            status = Attendance.Status.ABSENT
        elif roll > 0.94:
            status = Attendance.Status.LATE
        rows.append(Attendance(meeting=meeting, user=membership.user, status=status, leave_reason=reason,
                               recorded_by=staff))
    Attendance.objects.bulk_create(rows)
    Attendance.objects.filter(meeting=meeting).update(created_at=entered, updated_at=entered)
    for row in Attendance.objects.filter(meeting=meeting, status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT]):
        if profile == "recent" and rng.random() < 0.6:
            continue  # still owed
        studied = (ends_at + timedelta(days=rng.randrange(2, 9))).date()
        confirmed = profile != "recent"
        Attendance.objects.filter(pk=row.pk).update(
            makeup_content=f"自学了《{subject}》学习资料汇编和会议记录，撰写了学习笔记。",
            makeup_studied_on=studied,
            makeup_submitted_at=_aware(studied.year, studied.month, studied.day, 20),
            makeup_confirmed_by=staff if confirmed else None,
            makeup_confirmed_at=_aware(studied.year, studied.month, studied.day, 20) + timedelta(days=2) if confirmed else None,
        )
    if profile in ("complete", "backfilled", "recent"):
        minutes = Minutes.objects.create(
            meeting=meeting, entered_by=staff,
            text=(f"会议由{members[0].user.name if members else '组长'}主持。会议传达学习了{subject}有关精神，"
                  "与会同志结合分管工作作了交流发言。会议指出，要把学习成果转化为推动工作的实际成效。"),
        )
        minutes_at = ends_at + (timedelta(days=42) if profile == "backfilled" else timedelta(days=1))
        _set(Minutes, minutes.pk, entered_at=minutes_at, updated_at=minutes_at)
    if profile in ("complete", "backfilled", "recent", "no_report"):
        speakers = [m.user for m in members[1:4]]
        for position, speaker in enumerate(speakers, start=1):
            speech = Speech.objects.create(
                meeting=meeting, speaker=speaker, entered_by=staff, position=position,
                kind=Speech.Kind.KEYNOTE if position == 1 else Speech.Kind.DISCUSSION,
                title=SPEECH_TITLES[(index + position) % len(SPEECH_TITLES)],
                summary="结合分管领域谈认识体会，提出下一步贯彻落实的具体措施。",
            )
            _set(Speech, speech.pk, created_at=ends_at + timedelta(days=1))
    if profile in ("complete", "backfilled"):
        report = PublicityReport.objects.create(
            meeting=meeting, entered_by=staff, title=f"{group.organization.short_name}理论学习中心组开展{word}",
            text=f"近日，{group.organization.short_name}理论学习中心组围绕“{subject}”开展{word}。",
            published_on=(ends_at + timedelta(days=1)).date(),
        )
        _set(PublicityReport, report.pk, entered_at=ends_at + timedelta(days=1))
    return meeting


def _upcoming(group, staff, members, topics, now):
    """Two meetings ahead for the county group: one notified (members see the notice), one planned."""
    ahead = [
        ("县委理论学习中心组集体学习：学习贯彻中央经济工作会议精神", 6, Meeting.Status.NOTIFIED, Meeting.Kind.GROUP_STUDY),
        ("县委理论学习中心组专题研讨：谋划明年重点工作", 20, Meeting.Status.PLANNED, Meeting.Kind.DISCUSSION),
    ]
    for index, (title, days, status, kind) in enumerate(ahead):
        if Meeting.objects.filter(group=group, title=title).exists():
            continue
        start = (now + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        meeting = Meeting.objects.create(
            group=group, title=title, kind=kind, starts_at=start, ends_at=start + timedelta(hours=2, minutes=30),
            venue="县委一号会议室", host=members[0].user if members else None, status=status, created_by=staff,
            session_plan="一、领学重要讲话精神\n二、重点发言\n三、研讨交流\n请提前阅读学习资料汇编。",
        )
        if topics:
            meeting.topics.add(topics[-1 - index])
        Material.objects.create(group=group, meeting=meeting, title="学习资料汇编（电子版）",
                                url="https://www.12371.cn/", uploaded_by=staff)
        if status == Meeting.Status.NOTIFIED:
            notice = MeetingNotice.objects.create(meeting=meeting, sent_by=staff,
                                                  message="请各位成员提前自学，并围绕分管工作准备发言。")
            NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, user=m.user) for m in members])


def _first_agenda(county, staff, year, today):
    studies = [
        (1, "县委常委会2026年第1次会议", "习近平总书记在二十届中央纪委全会上的重要讲话", "新华社"),
        (3, "县委常委会2026年第6次会议", "习近平总书记在全国两会期间的重要讲话精神", "人民日报"),
        (6, "县委常委会2026年第14次会议", "习近平总书记关于安全生产的重要指示", "新华社"),
        (9, "县委常委会2026年第21次会议", "习近平总书记在文化传承发展座谈会上的重要讲话", "《求是》"),
    ]
    for month, name, studied, source in studies:
        if month > today.month and year == today.year:
            continue
        name = name.replace("2026", str(year))
        if FirstAgendaStudy.objects.filter(organization=county, meeting_name=name).exists():
            continue
        held = today.replace(month=month, day=10)
        study = FirstAgendaStudy.objects.create(
            organization=county, held_on=held, meeting_name=name, studied=studied, source=source,
            source_date=held - timedelta(days=6), led_by="县委书记", created_by=staff,
        )
        FollowUpMeasure.objects.create(study=study, description="研究制定贯彻落实工作方案，明确责任分工和时间节点",
                                       owner="县委办公室", due_on=held + timedelta(days=30), done=month < 6,
                                       done_on=held + timedelta(days=25) if month < 6 else None)
        FollowUpMeasure.objects.create(study=study, description="结合重点工作开展专题调研，形成调研报告",
                                       owner="县委政策研究室", due_on=held + timedelta(days=60), done=month < 3,
                                       done_on=held + timedelta(days=50) if month < 3 else None)


def _observations(county, staff, groups):
    for index, group in enumerate(groups[:2]):
        meeting = Meeting.objects.filter(group=group, status=Meeting.Status.ARCHIVED).order_by("-starts_at").first()
        if meeting is None or Observation.objects.filter(meeting=meeting).exists():
            continue
        observation = Observation.objects.create(
            meeting=meeting, organization=county, observers="县委宣传部理论教育科 宋佳宁、县委办督查室 王海军",
            score=[86, 78][index], grade=[Observation.Grade.GOOD, Observation.Grade.FAIR][index],
            comments="会前准备较充分，学习资料汇编及时下发；研讨发言总体能结合分管工作。",
            rectification="针对发现的问题于一个月内整改，整改情况书面报县委宣传部。", recorded_by=staff,
        )
        ObservationPoint.objects.create(observation=observation, text="个别成员发言照稿宣读，联系实际不够紧密。")
        point = ObservationPoint.objects.create(observation=observation, text="会议记录较为简略，未完整记录研讨内容。")
        if index == 0:
            ObservationPoint.objects.filter(pk=point.pk).update(
                answer="已要求记录人员完整记录研讨发言要点，下次会议起执行。", answered_by=staff,
                answered_at=meeting.ends_at + timedelta(days=10),
            )


PROFILES = ["complete", "complete", "no_report", "complete", "bare", "complete", "backfilled", "no_minutes",
            "complete", "no_report", "complete"]


def seed(result: dict) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    year = today.year
    county_group = result["county_group"]
    groups = [county_group] + list(result["unit_groups"][:3])
    created = 0
    staff = User.objects.get(username="demo-staff")  # staff of the county: it manages every group below
    for group_index, group in enumerate(groups):
        members = _members(group)
        by_month, topics = _plan_topics(group, year)
        past_months = [m for m in range(1, 12) if _aware(year, m, 28) < now - timedelta(days=2)]
        for index, month in enumerate(past_months):
            rng = random.Random(f"{group.pk}-{year}-{month}")
            profile = PROFILES[(index + group_index) % len(PROFILES)]
            if month == past_months[-1]:
                profile = "recent"
            elif profile == "backfilled" and group_index > 0:
                profile = "complete"  # one backfilled meeting in the demo, in the county group
            topic = by_month.get(month) or (topics[index % len(topics)] if topics and profile != "bare" else None)
            if _seed_meeting(group, year=year, month=month, index=index, staff=staff, members=members,
                             topic=topic, rng=rng, profile=profile):
                created += 1
        if group_index == 0:
            _upcoming(group, staff, members, topics, now)
    _first_agenda(result["county"], staff, year, today)
    _observations(result["county"], staff, result["unit_groups"])
    if result.get("build_pdfs", True):
        # The archived meetings' archive PDFs, built now (by the worker where there is one; in the
        # embedded demo once the seed commits), so they download at once in a fresh clone.
        for meeting in Meeting.objects.filter(group__in=groups, status=Meeting.Status.ARCHIVED).order_by("pk"):
            services.archive_build_request(meeting=meeting, by=staff)
    return {"meetings_created": created}
