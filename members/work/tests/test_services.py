"""Members' own work: the workflow, who may do what, late marks, quotas and 有笔记."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members.models import Membership
from members.tests.factories import MembershipFactory, UserFactory
from members.work import selectors, services
from members.work.models import MemberWork, Reflection, WorkKind, WorkStatus
from members.work.tests.factories import REFLECTION_TEXT, WorkAttendanceFactory, WorkMeetingFactory

pytestmark = pytest.mark.django_db


def _reflection(world, meeting=None, *, by=None, body=REFLECTION_TEXT, title="学习心得"):
    by = by or world.member
    meeting = meeting or WorkMeetingFactory(group=world.groups.bureau)
    return services.work_create(
        by=by, kind=WorkKind.REFLECTION, group=world.groups.bureau, title=title, body=body, meeting=meeting
    )


def test_work_create_sets_date_year_and_word_count_from_meeting(world):
    meeting = WorkMeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=3))
    work = _reflection(world, meeting, body="学习二十大精神 we study 2024")
    assert work.status == WorkStatus.DRAFT
    assert work.occurred_on == timezone.localdate(meeting.starts_at)
    assert work.year == work.occurred_on.year
    # 7 Chinese characters + "we", "study", "2024"
    assert work.word_count == 7 + 3
    assert work.history.count() == 1
    assert work.history.first().history_user == world.member


def test_rich_text_is_sanitised_never_raw_html(world):
    body = '<p onclick="x()">第一段<script>alert(1)</script></p><p>第二段<a href="javascript:x">链接</a></p>'
    work = _reflection(world, body=body)
    assert work.body_is_html
    assert "script" not in work.body
    assert "onclick" not in work.body
    assert "javascript" not in work.body
    assert "<p>第一段</p>" in work.body


def test_only_members_of_the_group_write_work_in_it(world):
    with pytest.raises(PermissionDenied):
        _reflection(world, by=world.staff)


def test_meeting_of_another_group_is_refused(world):
    other_meeting = WorkMeetingFactory(group=world.groups.township)
    with pytest.raises(ValidationError):
        _reflection(world, other_meeting)


def test_full_workflow_return_resubmit_accept(world):
    work = _reflection(world)
    work = services.work_submit(work=work, by=world.member)
    assert work.status == WorkStatus.SUBMITTED
    assert work.submission_count == 1
    first = work.first_submitted_at
    work = services.work_return(work=work, by=world.staff, comment="请结合分管工作谈体会")
    assert work.status == WorkStatus.RETURNED
    assert work.reviewed_by == world.staff
    work = services.work_update(work=work, by=world.member, body=REFLECTION_TEXT + "\n补充：结合分管工作。")
    work = services.work_submit(work=work, by=world.member)
    assert work.status == WorkStatus.SUBMITTED
    assert work.submission_count == 2
    assert work.first_submitted_at == first  # the honest first date stays
    work = services.work_accept(work=work, by=world.staff)
    assert work.status == WorkStatus.ACCEPTED
    statuses = [h.status for h in work.history.order_by("history_date", "history_id")]
    assert statuses == ["draft", "submitted", "returned", "returned", "submitted", "accepted"]


def test_the_author_is_told_when_their_work_is_returned_and_when_it_is_accepted(world, mailoutbox, settings):
    from members.notifications.models import Delivery, Notification, NotificationKind

    settings.QUIET_HOURS = ("00:00", "00:00")
    world.member.email = "member@example.org"
    world.member.save()
    work = services.work_submit(work=_reflection(world), by=world.member)
    services.work_return(work=work, by=world.staff, comment="请结合分管工作谈体会")
    returned = Notification.objects.get(recipient=world.member, kind=NotificationKind.WORK_REVIEWED)
    assert returned.title == f"您的心得体会《{work.title}》被退回修改"
    assert "请结合分管工作谈体会" in returned.body
    assert returned.url == work.get_absolute_url()
    assert Delivery.objects.filter(notification=returned, channel="email").exists()  # by their preferences
    assert not Delivery.objects.filter(kind=NotificationKind.WORK_REVIEWED, group_channel__isnull=False).exists()
    work = services.work_update(work=work, by=world.member, body=REFLECTION_TEXT + "\n补充：结合分管工作。")
    work = services.work_submit(work=work, by=world.member)
    services.work_accept(work=work, by=world.staff, comment="体会深刻")
    titles = list(Notification.objects.filter(recipient=world.member, kind=NotificationKind.WORK_REVIEWED)
                  .order_by("pk").values_list("title", flat=True))
    assert titles == [f"您的心得体会《{work.title}》被退回修改", f"您的心得体会《{work.title}》已通过审核"]
    assert not Notification.objects.filter(recipient=world.staff, kind=NotificationKind.WORK_REVIEWED).exists()


@pytest.mark.parametrize(
    "status, action",
    [
        ("draft", "accept"), ("draft", "return"), ("accepted", "submit"), ("accepted", "return"),
        ("accepted", "withdraw"), ("returned", "accept"), ("withdrawn", "submit"), ("submitted", "submit"),
    ],
)
def test_transitions_outside_the_workflow_are_refused(world, status, action):
    work = _reflection(world)
    MemberWork.objects.filter(pk=work.pk).update(status=status, review_comment="x")
    work.refresh_from_db()
    call = {
        "accept": lambda: services.work_accept(work=work, by=world.staff),
        "return": lambda: services.work_return(work=work, by=world.staff, comment="改"),
        "submit": lambda: services.work_submit(work=work, by=world.member),
        "withdraw": lambda: services.work_withdraw(work=work, by=world.member),
    }[action]
    with pytest.raises(ValidationError):
        call()


def test_returning_needs_a_comment(world):
    work = services.work_submit(work=_reflection(world), by=world.member)
    with pytest.raises(ValidationError):
        services.work_return(work=work, by=world.staff, comment="  ")


def test_nobody_reviews_their_own_work_even_staff_or_secretary(world):
    MembershipFactory(user=world.staff, group=world.groups.bureau, role=Membership.Role.SECRETARY)
    work = services.work_submit(work=_reflection(world, by=world.staff), by=world.staff)
    with pytest.raises(PermissionDenied):
        services.work_accept(work=work, by=world.staff)


def test_a_member_cannot_accept_anothers_work(world):
    work = services.work_submit(work=_reflection(world), by=world.member)
    with pytest.raises(PermissionDenied):
        services.work_accept(work=work, by=world.other_member)
    with pytest.raises(PermissionDenied):
        services.work_accept(work=work, by=world.leader)  # leaders read, do not review
    with pytest.raises(PermissionDenied):
        services.work_accept(work=work, by=world.sibling_staff)


def test_the_groups_secretary_reviews(world):
    secretary = UserFactory(username="secretary")
    MembershipFactory(user=secretary, group=world.groups.bureau, role=Membership.Role.SECRETARY)
    work = services.work_submit(work=_reflection(world), by=world.member)
    assert services.work_accept(work=work, by=secretary).status == WorkStatus.ACCEPTED


def test_only_the_author_edits_submits_and_withdraws(world):
    work = _reflection(world)
    for call in (
        lambda: services.work_update(work=work, by=world.other_member, title="改"),
        lambda: services.work_submit(work=work, by=world.other_member),
        lambda: services.work_withdraw(work=work, by=world.staff),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_submitted_work_cannot_be_edited(world):
    work = services.work_submit(work=_reflection(world), by=world.member)
    with pytest.raises(ValidationError):
        services.work_update(work=work, by=world.member, title="改")


def test_withdraw_keeps_the_row(world):
    work = services.work_withdraw(work=_reflection(world), by=world.member)
    assert MemberWork.objects.filter(pk=work.pk, status=WorkStatus.WITHDRAWN).exists()


def test_drafts_are_private_to_the_author(world):
    draft = _reflection(world)
    assert list(MemberWork.objects.visible_to(world.member)) == [draft]
    for user in (world.other_member, world.staff, world.leader, world.sibling_staff, world.township_member):
        assert not MemberWork.objects.visible_to(user).filter(pk=draft.pk).exists()


def test_submitted_work_is_seen_by_reviewers_and_leaders_not_by_others(world):
    work = services.work_submit(work=_reflection(world), by=world.member)
    visible = lambda user: MemberWork.objects.visible_to(user).filter(pk=work.pk).exists()  # noqa: E731
    assert visible(world.staff)
    assert visible(world.leader)
    assert visible(world.member)
    assert not visible(world.other_member)
    assert not visible(world.sibling_staff)
    # Returned work: the reviewer sees it, the leader (readers of submitted/accepted) does not.
    services.work_return(work=work, by=world.staff, comment="请充实内容")
    assert visible(world.staff)
    assert not visible(world.leader)


def test_proxy_models_show_their_own_kind(world):
    _reflection(world)
    services.work_create(by=world.member, kind=WorkKind.NOTE, group=world.groups.bureau, title="笔记")
    assert Reflection.objects.count() == 1
    assert MemberWork.objects.count() == 2


# --- late marks ---------------------------------------------------------------------------------


def test_late_mark_after_the_setting(world, settings):
    settings.WORK_LATE_AFTER_DAYS = 30
    old = WorkMeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=45))
    recent = WorkMeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=5))
    late = services.work_submit(work=_reflection(world, old, title="迟交"), by=world.member)
    on_time = services.work_submit(work=_reflection(world, recent, title="按时"), by=world.member)
    draft = _reflection(world, old, title="草稿")
    assert late.is_late
    assert not on_time.is_late
    assert not draft.is_late
    marks = dict(MemberWork.objects.with_late().values_list("title", "late"))
    assert marks == {"迟交": True, "按时": False, "草稿": False}
    settings.WORK_LATE_AFTER_DAYS = 60
    assert not MemberWork.objects.with_late().get(pk=late.pk).late


# --- quotas and figures -------------------------------------------------------------------------


def _accepted(world, **kwargs):
    work = services.work_create(by=world.member, group=world.groups.bureau, **kwargs)
    work = services.work_submit(work=work, by=world.member)
    return services.work_accept(work=work, by=world.staff)


def test_member_figures_count_accepted_work_against_the_plan(world):
    from plans.tests.factories import AnnualPlanFactory

    year = timezone.localdate().year
    AnnualPlanFactory(group=world.groups.bureau, year=year, articles_per_member=2, status="published")
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    WorkAttendanceFactory(meeting=meeting, user=world.member)
    _accepted(world, kind=WorkKind.REFLECTION, title="心得", body=REFLECTION_TEXT, meeting=meeting)
    today = timezone.localdate()
    _accepted(world, kind=WorkKind.ARTICLE, title="省级文章", outlet="江北日报", level="provincial", occurred_on=today)
    _accepted(world, kind=WorkKind.ARTICLE, title="县级文章", outlet="青山通讯", level="county", occurred_on=today)
    submitted = services.work_create(
        by=world.member, group=world.groups.bureau, kind=WorkKind.ARTICLE, title="市级待审",
        outlet="临川日报", level="city", occurred_on=today,
    )
    services.work_submit(work=submitted, by=world.member)
    standing = selectors.member_figures(world.member, world.groups.bureau, year)
    reflections, published = standing["figures"][0], standing["figures"][1]
    assert (reflections.done, reflections.target) == (1, 1)
    assert (published.done, published.target, published.pending) == (1, 2, 1)  # county level does not count
    assert not published.met


def test_due_lists_reflections_for_attended_meetings_without_one(world, settings):
    settings.REFLECTION_DUE_DAYS = 14
    attended = WorkMeetingFactory(group=world.groups.bureau, title="已参加")
    WorkAttendanceFactory(meeting=attended, user=world.member)
    done = WorkMeetingFactory(group=world.groups.bureau, title="已写")
    WorkAttendanceFactory(meeting=done, user=world.member)
    _reflection(world, done)
    absent = WorkMeetingFactory(group=world.groups.bureau, title="缺席")
    WorkAttendanceFactory(meeting=absent, user=world.member, status="absent")
    due = selectors.due_for(world.member)
    assert [a.meeting.title for a in due["reflections"]] == ["已参加"]
    assert [a.meeting.title for a in due["makeup"]] == ["缺席"]
    assert due["reflections"][0].due_on == timezone.localdate(attended.starts_at) + timedelta(days=14)


# --- 有笔记 in the seven records ------------------------------------------------------------------


def test_meeting_has_notes_when_an_attendee_submitted_a_reflection(world):
    from sessions.models import Meeting
    from sessions.selectors import with_seven_records

    meeting = WorkMeetingFactory(group=world.groups.bureau)
    WorkAttendanceFactory(meeting=meeting, user=world.member)
    has_notes = lambda: with_seven_records(Meeting.objects.filter(pk=meeting.pk)).get().has_notes  # noqa: E731
    assert has_notes() is False
    work = _reflection(world, meeting)
    assert has_notes() is False  # a draft is not a record
    services.work_submit(work=work, by=world.member)
    assert has_notes() is True


def test_research_report_with_shared_topic_and_field_visits(world):
    topic = services.research_topic_get_or_create(
        by=world.member, group=world.groups.bureau, year=2026, title="县域教育优质均衡调研"
    )
    again = services.research_topic_get_or_create(
        by=world.other_member, group=world.groups.bureau, year=2026, title="县域教育优质均衡调研"
    )
    assert again == topic
    report = services.work_create(
        by=world.member, kind=WorkKind.RESEARCH, group=world.groups.bureau, title="关于农村学校的调研报告",
        body=REFLECTION_TEXT, research_topic=topic, occurred_on=date(2026, 5, 10),
    )
    visit = services.field_visit_add(
        report=report, by=world.member, visited_on=date(2026, 4, 2), place="石桥乡中心小学", met_whom="校长、教师代表"
    )
    assert visit.history.first().history_user == world.member
    with pytest.raises(PermissionDenied):
        services.field_visit_add(report=report, by=world.other_member, visited_on=date(2026, 4, 3), place="x")
