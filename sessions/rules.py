"""Who may do what to a meeting and its records, a first-agenda study, an observation visit:
django-rules predicates (the sessions app's label is ``meetings``, so are the permissions).

Roles (``meetings.manage_meeting``: staff managing the meeting's group, ...) open pages and are
checked by services before they write; a wrong status is then a ValidationError with a message.
Actions (``meetings.mark_held`` = manages and notified and started, ...) decide the buttons.
"""

import rules
from django.utils import timezone

from members import scoping
from members.models import Organization
from members.rules import manages_group, manages_some_group
from plans.models import Topic
from sessions.models import Attendance, Material, Meeting
from studygroup.permissions import in_scope, remembered

S = Meeting.Status
MISSED = (Attendance.Status.LEAVE, Attendance.Status.ABSENT)


def _meeting_of(obj):
    if isinstance(obj, Meeting):
        return obj
    return getattr(obj, "meeting", None)


def _group_id(obj):
    if isinstance(obj, Topic):
        return obj.plan.group_id
    if isinstance(obj, Material):
        return obj.group.pk if obj.group is not None else None
    meeting = _meeting_of(obj)
    return meeting.group_id if meeting is not None else getattr(obj, "group_id", None)


@rules.predicate
def manages_meeting_group(user, obj) -> bool:
    return obj is not None and in_scope("managed_groups", user, scoping.managed_groups, _group_id(obj))


@rules.predicate
def is_member_of_meeting_group(user, obj) -> bool:
    if obj is None or not user.is_authenticated:
        return False
    return in_scope("member_groups", user, scoping.member_groups, _group_id(obj))


@rules.predicate
def meeting_is_open(_user, obj) -> bool:
    meeting = _meeting_of(obj)
    return meeting is not None and meeting.is_open


@rules.predicate
def meeting_is_upcoming(_user, meeting) -> bool:
    """Planned or notified (not held, archived or cancelled)."""
    return Meeting.transitions.allows(meeting, "change")


@rules.predicate
def meeting_takes_notice(_user, meeting) -> bool:
    return Meeting.transitions.allows(meeting, "notify") and not (meeting.status == S.NOTIFIED and meeting.has_ended)


@rules.predicate
def meeting_has_started(_user, meeting) -> bool:
    return meeting.starts_at <= timezone.now()


@rules.predicate
def meeting_is_planned(_user, meeting) -> bool:
    return meeting.status == S.PLANNED


@rules.predicate
def meeting_is_notified(_user, meeting) -> bool:
    return Meeting.transitions.allows(meeting, "hold")


@rules.predicate
def meeting_is_held(_user, meeting) -> bool:
    return Meeting.transitions.allows(meeting, "archive")


@rules.predicate
def meeting_is_cancelled(_user, meeting) -> bool:
    return meeting.status == S.CANCELLED


@rules.predicate
def meeting_is_in_future(_user, meeting) -> bool:
    return meeting.starts_at > timezone.now()


def _my_attendance(user, meeting):
    return remembered(
        ("my_attendance", user.pk, meeting.pk),
        lambda: Attendance.objects.filter(meeting=meeting, user=user).first(),
    )


@rules.predicate
def not_on_leave_yet(user, meeting) -> bool:
    attendance = _my_attendance(user, meeting)
    return attendance is None or attendance.status != Attendance.Status.LEAVE


@rules.predicate
def missed_the_meeting(user, meeting) -> bool:
    attendance = _my_attendance(user, meeting)
    return attendance is not None and attendance.status in MISSED


@rules.predicate
def owes_makeup_not_entered(user, meeting) -> bool:
    attendance = _my_attendance(user, meeting)
    return attendance is not None and attendance.owes_makeup and not attendance.makeup_waiting


@rules.predicate
def makeup_waits_for_confirmation(_user, attendance) -> bool:
    return isinstance(attendance, Attendance) and attendance.makeup_waiting


@rules.predicate
def supervises_meeting(user, meeting) -> bool:
    """Staff of an organisation above the meeting's group: they record observation visits."""
    from sessions.services import supervising_organizations

    return remembered(
        ("supervises", user.pk, meeting.group_id), lambda: supervising_organizations(user, meeting).exists()
    )


@rules.predicate
def reads_meeting_organisation(user, meeting) -> bool:
    """Leaders (and staff above) reading the organisation of the meeting's group."""
    return in_scope("read_organizations", user, scoping.read_organizations, meeting.group.organization_id)


# Roles: pages and services.
rules.add_perm("meetings.add_meeting", manages_some_group)
rules.add_perm("meetings.manage_group_meetings", manages_group)
rules.add_perm("meetings.manage_meeting", manages_meeting_group)
rules.add_perm("meetings.attend_meeting", is_member_of_meeting_group)
rules.add_perm("meetings.record_makeup", is_member_of_meeting_group & missed_the_meeting)

# Actions on a meeting: which buttons show.
rules.add_perm("meetings.run_meeting", meeting_is_open & manages_meeting_group)
rules.add_perm("meetings.change_meeting", meeting_is_upcoming & manages_meeting_group)
rules.add_perm("meetings.notify_meeting", meeting_takes_notice & manages_meeting_group)
rules.add_perm(
    "meetings.record_proceedings",
    meeting_is_open & ~meeting_is_planned & meeting_has_started & manages_meeting_group,
)
rules.add_perm("meetings.mark_held", meeting_is_notified & meeting_has_started & manages_meeting_group)
rules.add_perm("meetings.archive_meeting", meeting_is_held & manages_meeting_group)
rules.add_perm("meetings.cancel_meeting", meeting_is_upcoming & manages_meeting_group)
rules.add_perm("meetings.see_withdrawn_material", manages_meeting_group)
# Everyone's attendance with the reasons for leave, and the office's copy of the archive.
rules.add_perm("meetings.see_attendance_sheet", manages_meeting_group | reads_meeting_organisation)
# Materials of a plan topic (every meeting on the topic lists them).
rules.add_perm("meetings.add_topic_material", manages_meeting_group)
rules.add_perm("meetings.confirm_makeup", makeup_waits_for_confirmation & manages_meeting_group)
rules.add_perm(
    "meetings.ask_leave",
    meeting_is_in_future & meeting_is_open & ~meeting_is_held & is_member_of_meeting_group & not_on_leave_yet,
)
rules.add_perm("meetings.enter_makeup", is_member_of_meeting_group & owes_makeup_not_entered)
rules.add_perm(
    "meetings.observe_meeting",
    ~meeting_is_planned & ~meeting_is_cancelled & meeting_has_started & supervises_meeting,
)


# --- first-agenda study and observation visits ---------------------------------------------------


@rules.predicate
def manages_some_organization(user) -> bool:
    return scoping.managed_organizations(user).exists()


def _organization_id(obj):
    if isinstance(obj, Organization):
        return obj.pk
    study = getattr(obj, "study", obj)  # a follow-up measure belongs to its study
    return study.organization_id


@rules.predicate
def manages_study_organization(user, obj) -> bool:
    """Staff of the organisation (or of the organisation a first-agenda study or its follow-up
    measure belongs to)."""
    return obj is not None and in_scope(
        "managed_organizations", user, scoping.managed_organizations, _organization_id(obj)
    )


@rules.predicate
def manages_observing_organization(user, observation) -> bool:
    return observation is not None and in_scope(
        "managed_organizations", user, scoping.managed_organizations, observation.organization_id
    )


@rules.predicate
def answers_for_visited_group(user, obj) -> bool:
    """Staff of the visited group answer an observation's points."""
    observation = getattr(obj, "observation", obj)
    return observation is not None and in_scope(
        "managed_groups", user, scoping.managed_groups, observation.meeting.group_id
    )


rules.add_perm("meetings.add_first_agenda", manages_some_organization)
rules.add_perm("meetings.manage_first_agenda", manages_study_organization)
rules.add_perm("meetings.change_observation", manages_observing_organization)
rules.add_perm("meetings.answer_observation", answers_for_visited_group)
