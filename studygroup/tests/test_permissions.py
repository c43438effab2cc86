"""Every URL pattern, opened by every role: the status each gets.

The roles come from the ``world`` fixture: a member of the county's education bureau group, the
county's staff, the leader of the parent city, and staff of a sibling county. Objects belong to
the county's bureau, so the sibling's staff must get 404 on every one of them (an id reveals
nothing), while people who may see but not act get 403.

A new URL pattern fails ``test_every_url_pattern_has_expectations`` until it is added to
``EXPECTATIONS`` below: this is how the rule stays true as the app grows.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anonymous", "member", "staff", "leader", "sibling_staff"]

# Patterns that are not pages of ours, or that are not user-facing GET pages.
IGNORED_NAMESPACES = {"admin"}
IGNORED_NAMES = {
    "login", "logout", "password_change", "password_change_done", "set_language",
    # The login's second step (studygroup/audit/tests/test_two_factor.py).
    "two-factor-verify",
}


def statuses(anonymous=302, member=200, staff=200, leader=200, sibling_staff=200):
    return dict(anonymous=anonymous, member=member, staff=staff, leader=leader, sibling_staff=sibling_staff)


# Pages everyone signed in may open (their content is scoped).
OPEN = statuses()
# An object of the county's bureau group that its members may read.
GROUP_OBJECT = statuses(sibling_staff=404)
# An action on such an object that only the county's staff may take.
GROUP_ACTION = statuses(member=403, leader=403, sibling_staff=404)
# A page for creating things: only people who manage something.
MANAGER_PAGE = statuses(member=403, leader=403)

# An administrator's action (系统管理员 / 安全管理员): none of these roles may take it.
ADMIN_ACTION = statuses(member=403, staff=403, leader=403, sibling_staff=404)
COUNTY_ADMIN_ACTION = statuses(member=404, staff=403, leader=403, sibling_staff=404)

# A POST-only action opened with GET.
POST_ONLY = statuses(member=405, staff=405, leader=405, sibling_staff=405)


def _inactive_member(world):
    from members.tests.factories import MembershipFactory, UserFactory

    person = UserFactory(organization=world.bureau, is_active=False)
    MembershipFactory(user=person, group=world.groups.bureau)
    return person


def _organization_without_group(world):
    from members.tests.factories import OrganizationFactory

    return OrganizationFactory(parent=world.bureau, name="教育局机关党委")


def _roster_import(world, status="previewed"):
    from members.models import RosterImport

    from django.core.files.base import ContentFile

    record = RosterImport(created_by=world.staff, original_name="花名册.csv", sha256="0" * 64, status=status)
    record.file.save("花名册.csv", ContentFile("姓名,手机号码,单位\n".encode()), save=False)
    record.save()
    return record


def _activation_token(world):
    from members import activation
    from members.tests.factories import UserFactory

    person = UserFactory(organization=world.bureau)
    person.set_unusable_password()
    person.save()
    return {"token": activation.activation_token(person)}


# A roster import is its importer's alone (the county's staff here): 404 for everyone else.
IMPORTER_ONLY = statuses(member=404, leader=404, sibling_staff=404)


def _online_study_import(world):
    from datetime import date

    from members.work.models import OnlineStudyImport

    from django.core.files.base import ContentFile

    record = OnlineStudyImport(created_by=world.staff, platform="xuexi", period=date(2026, 1, 1), original_name="积分.csv")
    record.file.save("积分.csv", ContentFile("姓名,手机号,积分\n".encode()), save=False)
    record.save()
    return record


def _theory_test(world, status="published"):
    from datetime import timedelta

    from django.utils import timezone

    from members.work.models import Question, TestPaper, TheoryTest

    test = TheoryTest.objects.create(
        organization=world.county, title="理论测试", opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1), status=status, created_by=world.staff,
    )
    test.groups.set([world.groups.bureau])
    question = Question.objects.create(organization=world.county, kind="short", stem="简述", answer="要点", created_by=world.staff)
    TestPaper.objects.create(test=test, question=question, points=10)
    return test


def _attempt(world, submitted=True):
    from members.work import theory

    attempt = theory.attempt_start(by=world.member, test=_theory_test(world))
    return theory.attempt_submit(by=world.member, attempt=attempt) if submitted else attempt


def _work(world, which):
    from members.work.tests.factories import work_for_permissions

    return work_for_permissions(world, which)


EXPECTATIONS = {
    "home": (None, OPEN),
    "members:organization-list": (None, OPEN),
    "members:organization-detail": (lambda w: {"pk": w.bureau.pk}, GROUP_OBJECT),
    "members:group-list": (None, OPEN),
    "members:group-detail": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_OBJECT),
    "members:membership-create": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "members:membership-end": (
        lambda w: {"pk": w.member.memberships.get().pk},
        GROUP_ACTION,
    ),
    "members:person-list": (None, OPEN),
    "members:person-create": (None, MANAGER_PAGE),
    "members:person-detail": (lambda w: {"pk": w.other_member.pk}, GROUP_OBJECT),
    "members:person-update": (lambda w: {"pk": w.other_member.pk}, GROUP_ACTION),
    # Accounts, roles, organisations (members/views.py): 系统管理员 and 安全管理员 act there, none
    # of these roles is one; staff edit and deactivate people of their tree.
    "members:person-deactivate": (lambda w: {"pk": w.other_member.pk}, GROUP_ACTION),
    "members:person-reactivate": (lambda w: {"pk": _inactive_member(w).pk}, GROUP_ACTION),
    "members:person-password-reset": (lambda w: {"pk": w.other_member.pk}, ADMIN_ACTION),
    "members:assignment-grant": (lambda w: {"pk": w.other_member.pk}, ADMIN_ACTION),
    # The county staff's own assignment: members do not see the county.
    "members:assignment-end": (lambda w: {"pk": w.staff.assignments.get().pk}, COUNTY_ADMIN_ACTION),
    # Staff set up the units and groups of their tree (issue 17), as 系统管理员 do theirs.
    "members:organization-create": (lambda w: {"pk": w.bureau.pk}, GROUP_ACTION),
    "members:organization-update": (lambda w: {"pk": w.bureau.pk}, GROUP_ACTION),
    "members:group-create": (lambda w: {"pk": _organization_without_group(w).pk}, statuses(member=404, leader=403, sibling_staff=404)),
    "members:group-update": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    # 花名册导入: staff of any organisation may import; an import is its importer's.
    "members:roster-import": (None, MANAGER_PAGE),
    "members:roster-template": (None, MANAGER_PAGE),
    "members:roster-import-detail": (lambda w: {"pk": _roster_import(w).pk}, IMPORTER_ONLY),
    "members:roster-import-apply": (lambda w: {"pk": _roster_import(w).pk}, IMPORTER_ONLY),
    "members:roster-import-file": (lambda w: {"pk": _roster_import(w).pk}, IMPORTER_ONLY),
    "members:roster-activation-list": (lambda w: {"pk": _roster_import(w, "applied").pk}, IMPORTER_ONLY),
    # The activation link: for the person who has no password yet, so open to anyone holding it.
    "members:account-activate": (_activation_token, statuses(anonymous=200)),
    # Members' own work (members/work_views.py): objects of world.member in the bureau group.
    "work:my-work": (None, OPEN),
    # 学习强国 / 干部网络学院: staff who manage a group import; an import is its importer's.
    "work:online-study-import": (None, MANAGER_PAGE),
    # 考学: staff set tests for the groups they manage; members take those of their groups.
    "work:theory-test-list": (None, OPEN),
    "work:theory-test-create": (None, MANAGER_PAGE),
    "work:theory-test-detail": (lambda w: {"pk": _theory_test(w).pk}, statuses(leader=404, sibling_staff=404)),
    "work:theory-test-update": (lambda w: {"pk": _theory_test(w, "draft").pk}, statuses(member=404, leader=404, sibling_staff=404)),
    "work:theory-test-publish": (lambda w: {"pk": _theory_test(w, "draft").pk}, statuses(member=404, leader=404, sibling_staff=404)),
    "work:theory-test-close": (lambda w: {"pk": _theory_test(w).pk}, statuses(member=403, leader=404, sibling_staff=404)),
    "work:theory-test-export": (lambda w: {"pk": _theory_test(w).pk}, statuses(member=403, leader=404, sibling_staff=404)),
    "work:paper-question-add": (lambda w: {"pk": _theory_test(w, "draft").pk}, POST_ONLY),
    "work:paper-question-remove": (lambda w: {"pk": _theory_test(w, "draft").pk}, POST_ONLY),
    "work:attempt-start": (lambda w: {"pk": _theory_test(w).pk}, POST_ONLY),
    "work:attempt-take": (lambda w: {"pk": _attempt(w).pk}, statuses(leader=404, sibling_staff=404)),
    "work:attempt-answer": (lambda w: {"pk": _attempt(w, submitted=False).pk}, POST_ONLY),
    "work:attempt-submit": (lambda w: {"pk": _attempt(w, submitted=False).pk}, statuses(leader=404, sibling_staff=404)),
    "work:attempt-mark": (lambda w: {"pk": _attempt(w).pk}, statuses(member=403, leader=404, sibling_staff=404)),
    "work:question-list": (None, OPEN),
    "work:question-import": (None, MANAGER_PAGE),
    "work:question-template": (None, MANAGER_PAGE),
    # 个人学习档案: the member's own and their staff's; a fellow member or a leader may not read it.
    "work:study-record": (lambda w: {"pk": w.member.pk}, statuses(leader=403, sibling_staff=404)),
    "work:study-record-pdf": (lambda w: {"pk": w.member.pk}, statuses(leader=403, sibling_staff=404)),
    "work:study-records-export": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "work:online-study-import-detail": (lambda w: {"pk": _online_study_import(w).pk}, IMPORTER_ONLY),
    "work:online-study-import-apply": (lambda w: {"pk": _online_study_import(w).pk}, IMPORTER_ONLY),
    "work:online-study-import-file": (lambda w: {"pk": _online_study_import(w).pk}, IMPORTER_ONLY),
    "work:work-list": (None, OPEN),
    "work:work-search": (None, OPEN),
    "work:work-create": (
        lambda w: {"kind": "reflection"}, statuses(staff=403, leader=403, sibling_staff=403)
    ),
    "work:work-detail": (lambda w: {"pk": _work(w, "submitted").pk}, GROUP_OBJECT),
    "work:work-attachment": (lambda w: {"pk": _work(w, "attached").pk}, GROUP_OBJECT),
    # Drafts are the author's alone: everyone else gets 404.
    "work:work-update": (
        lambda w: {"pk": _work(w, "draft").pk}, statuses(staff=404, leader=404, sibling_staff=404)
    ),
    "work:work-submit": (lambda w: {"pk": _work(w, "draft").pk}, POST_ONLY),
    "work:work-withdraw": (lambda w: {"pk": _work(w, "draft").pk}, POST_ONLY),
    # The author never reviews their own work; leaders read but do not review.
    "work:work-review": (lambda w: {"pk": _work(w, "submitted").pk}, GROUP_ACTION),
    "work:field-visit-create": (
        lambda w: {"pk": _work(w, "research").pk}, statuses(staff=404, leader=404, sibling_staff=404)
    ),
    "work:review-queue": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "work:work-export": (
        lambda w: {"pk": w.groups.bureau.pk, "year": 2026, "fmt": "xlsx"},
        statuses(member=403, sibling_staff=404),
    ),
    # 学习资料汇编: staff compile (a POST), whoever sees the meeting reads and downloads it.
    "meetings:material-bundle": (lambda w: {"pk": _bundle(w).meeting_id}, statuses(member=403, staff=405, leader=403, sibling_staff=404)),
    "meetings:material-bundle-status": (lambda w: {"pk": _bundle(w).pk}, GROUP_OBJECT),
    "meetings:material-bundle-download": (lambda w: {"pk": _bundle(w).pk}, GROUP_OBJECT),
    # The office's copy of the archive: staff of the group and leaders reading its organisation.
    "meetings:archive-build": (lambda w: {"pk": _archive_build(w).meeting_id}, statuses(member=403, staff=405, leader=405, sibling_staff=404)),
    "meetings:archive-build-status": (lambda w: {"pk": _archive_build(w).pk}, statuses(member=404, sibling_staff=404)),
    "meetings:archive-build-download": (lambda w: {"pk": _archive_build(w).pk}, statuses(member=404, sibling_staff=404)),
    # A built PDF compilation: those who may export the group's work (staff, leaders).
    "work:compilation-status": (lambda w: {"pk": _compilation(w).pk}, statuses(member=404, sibling_staff=404)),
    "work:compilation-download": (lambda w: {"pk": _compilation(w).pk}, statuses(member=404, sibling_staff=404)),
}


def _archive_build(world):
    from django.core.files.base import ContentFile

    from sessions.models import ArchiveBuild
    from sessions.tests.factories import MeetingFactory

    build = ArchiveBuild(meeting=MeetingFactory(group=world.groups.bureau), contents="-", status=ArchiveBuild.Status.DONE)
    build.file.save("archive.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    build.save()
    return build


def _bundle(world):
    from django.core.files.base import ContentFile

    from sessions.models import MaterialBundle
    from sessions.tests.factories import MeetingFactory

    bundle = MaterialBundle(meeting=MeetingFactory(group=world.groups.bureau), contents="-", status=MaterialBundle.Status.DONE)
    bundle.file.save("bundle.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    bundle.save()
    return bundle


def _compilation(world):
    from django.core.files.base import ContentFile

    from members.work.models import CompilationBuild

    build = CompilationBuild(group=world.groups.bureau, year=2026, contents="1@-", status=CompilationBuild.Status.DONE)
    build.file.save("compilation.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    build.save()
    return build

# Annual plans (plans/). Objects come from ``plans.tests.factories.plan_world``: plans of the
# county's bureau group, whose 组长 is ``member``. Members see published plans only (a draft is
# 404 to them); the 组长 also sees submitted plans, and only the 组长 approves.
def _plans(w):
    from plans.tests.factories import plan_world

    return plan_world(w)


DRAFT_ACTION = statuses(member=404, leader=403, sibling_staff=404)
LEADER_ACTION = statuses(staff=403, leader=403, sibling_staff=404)
EXPECTATIONS.update({
    "plans:plan-list": (None, OPEN),
    "plans:plan-create": (None, MANAGER_PAGE),
    "plans:plan-import": (None, MANAGER_PAGE),
    "plans:plan-detail": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:plan-print": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:plan-pdf": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:plan-docx": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:schedule-xlsx": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:plan-changes": (lambda w: {"pk": _plans(w).published.pk}, GROUP_OBJECT),
    "plans:plan-update": (lambda w: {"pk": _plans(w).draft.pk}, DRAFT_ACTION),
    "plans:schedule-update": (lambda w: {"pk": _plans(w).draft.pk}, DRAFT_ACTION),
    "plans:plan-submit": (lambda w: {"pk": _plans(w).draft.pk}, DRAFT_ACTION),
    "plans:plan-withdraw": (lambda w: {"pk": _plans(w).submitted.pk}, GROUP_ACTION),
    "plans:plan-approve": (lambda w: {"pk": _plans(w).submitted.pk}, LEADER_ACTION),
    "plans:plan-return": (lambda w: {"pk": _plans(w).submitted.pk}, LEADER_ACTION),
    "plans:plan-publish": (lambda w: {"pk": _plans(w).published.pk}, GROUP_ACTION),
    "plans:plan-revise": (lambda w: {"pk": _plans(w).published.pk}, GROUP_ACTION),
    "plans:plan-copy": (lambda w: {"pk": _plans(w).published.pk}, GROUP_ACTION),
    "plans:cascade-create": (lambda w: {"pk": _plans(w).published.pk}, GROUP_ACTION),
    "plans:cascade-list": (None, OPEN),
    # A topic the county group handed down: the bureau's member does not read the county plan.
    "plans:cascade-uptake": (lambda w: {"pk": _plans(w).cascade.pk}, statuses(member=404, sibling_staff=404)),
    "plans:cascade-adopt": (lambda w: {"pk": _plans(w).cascade.pk}, DRAFT_ACTION),
    "plans:proposal-call-list": (None, OPEN),
    "plans:proposal-call-create": (None, MANAGER_PAGE),
    "plans:proposal-call-detail": (lambda w: {"pk": _plans(w).call.pk}, GROUP_OBJECT),
    "plans:proposal-create": (lambda w: {"pk": _plans(w).call.pk}, statuses(leader=403, sibling_staff=404)),
    # Another member's proposal: only its proposer and the group's staff and leaders see it.
    "plans:proposal-adopt": (lambda w: {"pk": _plans(w).proposal.pk}, DRAFT_ACTION),
    "plans:proposal-decline": (lambda w: {"pk": _plans(w).proposal.pk}, DRAFT_ACTION),
    "plans:monthly-plan": (
        lambda w: {"pk": w.groups.bureau.pk, "year": _plans(w).published.year, "month": 3}, GROUP_OBJECT
    ),
    "plans:monthly-plan-print": (
        lambda w: {"pk": w.groups.bureau.pk, "year": _plans(w).published.year, "month": 3}, GROUP_OBJECT
    ),
})


# Meetings (sessions/, namespace "meetings"). Objects come from
# ``sessions.tests.factories.meeting_world``: a past meeting of the county's bureau group, where
# ``member`` was absent (and owes make-up study); a visit by the county; a first-agenda study of
# the county (read by the county's staff and the city's leader, not by members).
def _meetings(w):
    from sessions.tests.factories import meeting_world

    return meeting_world(w)


def _sign_in_code(w):
    from sessions.services import sign_in_code

    return sign_in_code(_meetings(w).meeting)


def _feed_token(w):
    from sessions.services import feed_for

    return feed_for(w.member).token


MEMBER_ONLY = statuses(staff=403, leader=403, sibling_staff=404)
COUNTY_RECORD = statuses(member=404, sibling_staff=404)
COUNTY_ACTION = statuses(member=404, leader=403, sibling_staff=404)
_meeting = lambda w: {"pk": _meetings(w).meeting.pk}  # noqa: E731
EXPECTATIONS.update({
    "meetings:meeting-list": (None, OPEN),
    "meetings:meeting-calendar": (None, OPEN),
    "meetings:meeting-create": (None, MANAGER_PAGE),
    "meetings:meeting-detail": (_meeting, GROUP_OBJECT),
    "meetings:meeting-update": (_meeting, GROUP_ACTION),
    "meetings:meeting-notify": (_meeting, GROUP_ACTION),
    # Posted by the meeting page when it opens (the notice is read): never a GET.
    "meetings:meeting-notice-read": (_meeting, statuses(member=405, staff=405, leader=405, sibling_staff=404)),
    "meetings:meeting-cancel": (_meeting, GROUP_ACTION),
    "meetings:meeting-mark-held": (_meeting, GROUP_ACTION),
    "meetings:meeting-close": (_meeting, GROUP_ACTION),
    "meetings:meeting-attendance": (_meeting, GROUP_ACTION),
    "meetings:meeting-sign-in-screen": (_meeting, GROUP_ACTION),
    "meetings:meeting-sign-in-qr": (_meeting, GROUP_ACTION),
    "meetings:meeting-sign-in-count": (_meeting, GROUP_ACTION),
    # The page answers everyone who sees the meeting (with the reason a sign-in is refused).
    "meetings:meeting-sign-in": (lambda w: {**_meeting(w), "code": _sign_in_code(w)}, GROUP_OBJECT),
    "meetings:meeting-leave": (_meeting, MEMBER_ONLY),
    "meetings:meeting-makeup": (_meeting, MEMBER_ONLY),
    "meetings:makeup-confirm": (lambda w: {"pk": _meetings(w).absent.pk}, GROUP_ACTION),
    "meetings:meeting-minutes": (_meeting, GROUP_ACTION),
    "meetings:speech-create": (_meeting, GROUP_ACTION),
    "meetings:speech-update": (lambda w: {"pk": _meetings(w).speech.pk}, GROUP_ACTION),
    "meetings:meeting-report": (_meeting, GROUP_ACTION),
    "meetings:material-create": (_meeting, GROUP_ACTION),
    # The topic's plan is a draft: members do not see it.
    "meetings:topic-material-create": (lambda w: {"pk": _meetings(w).topic.pk}, COUNTY_ACTION),
    "meetings:material-download": (lambda w: {"pk": _meetings(w).material.pk}, GROUP_OBJECT),
    "meetings:material-withdraw": (lambda w: {"pk": _meetings(w).material.pk}, GROUP_ACTION),
    "meetings:meeting-archive": (_meeting, GROUP_OBJECT),
    "meetings:meeting-archive-pdf": (_meeting, GROUP_OBJECT),
    "meetings:meeting-sign-in-sheet-xlsx": (_meeting, GROUP_OBJECT),
    "meetings:meeting-sign-in-sheet-pdf": (_meeting, GROUP_OBJECT),
    "meetings:meeting-ics": (_meeting, GROUP_OBJECT),
    "meetings:meeting-feed-settings": (None, OPEN),
    # The feed is opened by calendar programs: the secret token is the key, no login.
    "meetings:meeting-feed": (lambda w: {"token": _feed_token(w)}, statuses(anonymous=200)),
    "meetings:group-year": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_OBJECT),
    "meetings:first-agenda-list": (None, OPEN),
    "meetings:first-agenda-create": (None, MANAGER_PAGE),
    "meetings:first-agenda-detail": (lambda w: {"pk": _meetings(w).study.pk}, COUNTY_RECORD),
    "meetings:first-agenda-update": (lambda w: {"pk": _meetings(w).study.pk}, COUNTY_ACTION),
    "meetings:measure-create": (lambda w: {"pk": _meetings(w).study.pk}, COUNTY_ACTION),
    "meetings:measure-update": (lambda w: {"pk": _meetings(w).measure.pk}, COUNTY_ACTION),
    "meetings:observation-list": (None, OPEN),
    "meetings:observation-create": (_meeting, GROUP_ACTION),
    "meetings:observation-detail": (lambda w: {"pk": _meetings(w).observation.pk}, COUNTY_RECORD),
    "meetings:observation-point-create": (lambda w: {"pk": _meetings(w).observation.pk}, COUNTY_ACTION),
    "meetings:observation-point-answer": (lambda w: {"pk": _meetings(w).point.pk}, COUNTY_ACTION),
})


# Notifications, robots and the daily reading (members/notification_views.py). Objects come from
# ``members.notifications.tests.factories.notification_world``. A person's inbox is theirs alone:
# someone else's notification answers 404 to everyone; robots (their webhooks are secrets) and
# the delivery log are the managing staff's only; only an approver approves the daily reading.
def _notif(w):
    from members.notifications.tests.factories import notification_world

    return notification_world(w)


NOBODY_ELSE = statuses(member=404, staff=404, leader=404, sibling_staff=404)
NOBODY_BUT_ADMINS = statuses(member=403, staff=403, leader=403, sibling_staff=403)


def _robot_host():
    from members.notifications.models import RobotHost

    return RobotHost.objects.get_or_create(host="dingtalk.example.gov.cn")[0]

OWN_ONLY = statuses(staff=404, leader=404, sibling_staff=404)
STAFF_ONLY = statuses(member=404, leader=404, sibling_staff=404)
APPROVER_ACTION = statuses(member=403, staff=403, leader=403, sibling_staff=404)
EXPECTATIONS.update({
    "notifications:notification-list": (None, OPEN),
    "notifications:notification-preferences": (None, OPEN),
    "notifications:notification-read-all": (None, OPEN),
    "notifications:notification-open": (lambda w: {"pk": _notif(w).theirs.pk}, NOBODY_ELSE),
    "notifications:notification-read": (lambda w: {"pk": _notif(w).mine.pk}, OWN_ONLY),
    "notifications:group-channels": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "notifications:group-channel-create": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "notifications:group-channel-update": (lambda w: {"pk": _notif(w).channel.pk}, STAFF_ONLY),
    "notifications:group-channel-test": (lambda w: {"pk": _notif(w).channel.pk}, STAFF_ONLY),
    "notifications:delivery-retry": (lambda w: {"pk": _notif(w).failed.pk}, STAFF_ONLY),
    "notifications:daily-reading-list": (None, OPEN),
    "notifications:daily-reading-detail": (lambda w: {"pk": _notif(w).reading.pk}, GROUP_OBJECT),
    "notifications:daily-reading-approve": (lambda w: {"pk": _notif(w).reading.pk}, APPROVER_ACTION),
    "notifications:daily-reading-item-create": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "notifications:daily-reading-item-detail": (lambda w: {"pk": _notif(w).item.pk}, GROUP_OBJECT),
    "notifications:daily-reading-item-read": (lambda w: {"pk": _notif(w).item.pk}, POST_ONLY),
    "notifications:daily-reading-item-approve": (lambda w: {"pk": _notif(w).item.pk}, APPROVER_ACTION),
    "notifications:daily-reading-item-withdraw": (lambda w: {"pk": _notif(w).item.pk}, GROUP_ACTION),
    # The robot host list: the top security administrator's and superusers' alone.
    "notifications:robot-host-list": (None, NOBODY_BUT_ADMINS),
    "notifications:robot-host-remove": (lambda w: {"pk": _robot_host().pk}, NOBODY_BUT_ADMINS),
})


# Reports (reviews, bulletins, inspections, 述学): objects of the county's bureau group, from
# ``reports.tests.permission_objects``. Drafts and supervision records are hidden from members
# (404); staff act on them; leaders who read them may not act (403).
def _reports(w):
    from reports.tests.permission_objects import objects

    return objects(w)


REPORTS_ACTION = statuses(member=404, leader=403, sibling_staff=404)
SUPERVISION_RECORD = statuses(member=404, sibling_staff=404)
EXPECTATIONS.update({
    "reports:dashboard": (None, statuses(member=403)),
    "reports:build-status": (lambda w: {"pk": _reports(w).build.pk}, GROUP_OBJECT),
    "reports:review-list": (None, OPEN),
    "reports:review-create": (None, MANAGER_PAGE),
    "reports:review-detail": (lambda w: {"pk": _reports(w).submitted.pk}, GROUP_OBJECT),
    "reports:review-update": (lambda w: {"pk": _reports(w).draft.pk}, REPORTS_ACTION),
    "reports:review-submit": (lambda w: {"pk": _reports(w).draft.pk}, REPORTS_ACTION),
    "reports:review-read": (lambda w: {"pk": _reports(w).submitted.pk}, statuses(member=403, sibling_staff=404)),
    "reports:review-return": (lambda w: {"pk": _reports(w).submitted.pk}, statuses(member=403, sibling_staff=404)),
    "reports:review-pdf": (lambda w: {"pk": _reports(w).submitted.pk}, GROUP_OBJECT),
    "reports:review-docx": (lambda w: {"pk": _reports(w).submitted.pk}, GROUP_OBJECT),
    "reports:review-build": (lambda w: {"pk": _reports(w).submitted.pk}, GROUP_ACTION),
    "reports:bulletin-list": (None, OPEN),
    "reports:bulletin-create": (None, MANAGER_PAGE),
    "reports:bulletin-detail": (lambda w: {"pk": _reports(w).issued.pk}, GROUP_OBJECT),
    "reports:bulletin-opened": (lambda w: {"pk": _reports(w).issued.pk}, POST_ONLY),
    "reports:bulletin-update": (lambda w: {"pk": _reports(w).draft_bulletin.pk}, REPORTS_ACTION),
    "reports:bulletin-issue": (lambda w: {"pk": _reports(w).draft_bulletin.pk}, REPORTS_ACTION),
    "reports:bulletin-pdf": (lambda w: {"pk": _reports(w).issued.pk}, GROUP_OBJECT),
    "reports:bulletin-docx": (lambda w: {"pk": _reports(w).issued.pk}, GROUP_OBJECT),
    "reports:bulletin-build": (lambda w: {"pk": _reports(w).issued.pk}, GROUP_ACTION),
    "reports:inspection-list": (None, statuses(member=403)),
    "reports:inspection-create": (None, MANAGER_PAGE),
    "reports:inspection-detail": (lambda w: {"pk": _reports(w).inspection.pk}, SUPERVISION_RECORD),
    "reports:inspection-update": (lambda w: {"pk": _reports(w).inspection.pk}, REPORTS_ACTION),
    "reports:item-create": (lambda w: {"pk": _reports(w).inspection.pk}, REPORTS_ACTION),
    "reports:point-item-create": (lambda w: {"pk": _reports(w).point.pk}, REPORTS_ACTION),
    "reports:item-list": (None, statuses(member=403)),
    "reports:item-detail": (lambda w: {"pk": _reports(w).item.pk}, SUPERVISION_RECORD),
    "reports:item-start": (lambda w: {"pk": _reports(w).item.pk}, REPORTS_ACTION),
    "reports:item-report": (lambda w: {"pk": _reports(w).item.pk}, REPORTS_ACTION),
    "reports:item-confirm": (lambda w: {"pk": _reports(w).item.pk}, REPORTS_ACTION),
    "reports:item-reopen": (lambda w: {"pk": _reports(w).item.pk}, REPORTS_ACTION),
    "reports:evidence-download": (lambda w: {"pk": _reports(w).evidence.pk}, SUPERVISION_RECORD),
    "reports:account-list": (None, OPEN),
    "reports:account-create": (None, statuses(leader=403)),
    "reports:account-detail": (lambda w: {"pk": _reports(w).account.pk}, GROUP_OBJECT),
    "reports:account-update": (lambda w: {"pk": _reports(w).draft_account.pk}, statuses(leader=403, sibling_staff=404)),
    "reports:account-submit": (lambda w: {"pk": _reports(w).draft_account.pk}, statuses(leader=403, sibling_staff=404)),
    "reports:account-comment": (lambda w: {"pk": _reports(w).account.pk}, statuses(member=403, staff=403, sibling_staff=404)),
    "reports:account-pdf": (lambda w: {"pk": _reports(w).account.pk}, GROUP_OBJECT),
    "reports:account-docx": (lambda w: {"pk": _reports(w).account.pk}, GROUP_OBJECT),
    "reports:account-build": (lambda w: {"pk": _reports(w).account.pk}, statuses(leader=403, sibling_staff=404)),
})


# The audit trail and security pages (studygroup/audit): only 审计管理员 / 安全管理员 (and the
# superuser) open them, so every role here gets 403 (studygroup/audit/tests covers those who may).
# Two-factor settings are each person's own.
def _audit_entry(w):
    from studygroup.audit.services import audit_record

    return audit_record(action="login", actor=w.member)


ADMINISTRATORS_ONLY = statuses(member=403, staff=403, leader=403, sibling_staff=403)
EXPECTATIONS.update({
    "audit:log": (None, ADMINISTRATORS_ONLY),
    "audit:export": (None, ADMINISTRATORS_ONLY),
    "audit:detail": (lambda w: {"pk": _audit_entry(w).pk}, ADMINISTRATORS_ONLY),
    "audit:security": (None, ADMINISTRATORS_ONLY),
    "audit:unlock": (None, ADMINISTRATORS_ONLY),
    "audit:two-factor-reset": (None, ADMINISTRATORS_ONLY),
    "audit:two-factor": (None, OPEN),
    "audit:two-factor-enrol": (None, OPEN),
    "audit:two-factor-remove": (None, OPEN),
    "audit:two-factor-backup-codes": (None, POST_ONLY),
})


def url_names(patterns=None, namespace=""):
    """Every named pattern of the project, as 'namespace:name'."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in IGNORED_NAMESPACES:
                continue
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.name not in IGNORED_NAMES:
                yield f"{namespace}{entry.name}"


def test_every_url_pattern_has_expectations():
    missing = sorted(set(url_names()) - set(EXPECTATIONS))
    assert not missing, f"add these URL names to EXPECTATIONS: {missing}"
    stale = sorted(set(EXPECTATIONS) - set(url_names()))
    assert not stale, f"these URL names no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_url_answers_each_role_as_expected(name, world, client):
    """One world per URL, every role in turn: all mismatches are reported together."""
    kwargs_for, expected = EXPECTATIONS[name]
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    mismatches = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.get(url)
        if response.status_code != expected[role]:
            mismatches.append(f"{role}: got {response.status_code}, expected {expected[role]}")
        elif expected[role] == 302 and not response["Location"].startswith(reverse("login")):
            mismatches.append(f"{role}: redirected to {response['Location']}, not to the login page")
    assert not mismatches, f"GET {url}\n" + "\n".join(mismatches)


@pytest.mark.django_db
def test_forbidden_and_not_found_render_in_the_site_layout(world, client):
    client.force_login(world.member)
    forbidden = client.get(reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk}))
    assert forbidden.status_code == 403
    assert "您无权执行此操作" in forbidden.content.decode()
    client.force_login(world.sibling_staff)
    missing = client.get(reverse("members:group-detail", kwargs={"pk": world.groups.bureau.pk}))
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "页面不存在" in body
    assert 'class="navbar' in body


def test_server_error_page_renders_in_the_site_layout(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "500" in body
    assert 'class="navbar' in body
