"""Writes on meetings and what belongs to them. Each checks who may do it, validates, runs in a
transaction and records who did it (django-simple-history reads ``_history_user``).

Status of a meeting moves only along planned → notified → held → archived, or to cancelled
(with a reason) before it is held.
"""

import io
import logging
from datetime import date, datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, Organization, StudyGroup, User, current_q
from sessions.models import (
    Attendance,
    CalendarFeed,
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
    new_secret,
)
from studygroup.mixins import require_perm
from studygroup.services import build_claim, build_failed, build_progress, build_reuse_or_queue, locked, save_as, stamp
from studygroup.uploads import check_upload

logger = logging.getLogger(__name__)

S = Meeting.Status
def _require_manages(by: User, group: StudyGroup) -> None:
    """Staff managing the group (``meetings.manage_group_meetings``, sessions/rules.py)."""
    require_perm(by, "meetings.manage_group_meetings", group)


def _require_editable(meeting: Meeting) -> None:
    Meeting.transitions.require(meeting, "record")


def current_member_ids(group: StudyGroup):
    return Membership.objects.filter(current_q(), group=group).values("user")


def _is_current_member(group: StudyGroup, user: User) -> bool:
    return Membership.objects.filter(current_q(), group=group, user=user).exists()


# --- meetings ---------------------------------------------------------------------------------

MEETING_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "venue", "host", "outside_plan", "outside_plan_reason",
    "expert_name", "expert_title", "expert_affiliation", "session_plan",
)


def _check_meeting(meeting: Meeting, topics, lead_speakers) -> None:
    from plans.models import Topic

    errors = {}
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    topics = list(topics)
    if topics:
        foreign = Topic.objects.filter(pk__in=[t.pk for t in topics]).exclude(plan__group=meeting.group_id)
        if foreign.exists():
            errors["topics"] = _("Only topics of this group's own plans can be chosen.")
        if meeting.outside_plan:
            errors["outside_plan"] = _("A meeting on plan topics is not outside the plan.")
    if meeting.outside_plan and not meeting.outside_plan_reason.strip():
        errors["outside_plan_reason"] = _("Say why this meeting is outside the plan.")
    members = set(current_member_ids(meeting.group).values_list("user", flat=True))
    if any(person.pk not in members for person in lead_speakers):
        errors["lead_speakers"] = _("Lead speakers must be current members of the group.")
    if meeting.kind == Meeting.Kind.LECTURE and not meeting.expert_name.strip():
        errors["expert_name"] = _("Give the expert's name for a lecture.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    by: User,
    group: StudyGroup,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = Meeting.Kind.GROUP_STUDY,
    venue: str = "",
    host: User | None = None,
    topics=(),
    lead_speakers=(),
    outside_plan: bool = False,
    outside_plan_reason: str = "",
    expert_name: str = "",
    expert_title: str = "",
    expert_affiliation: str = "",
    session_plan: str = "",
) -> Meeting:
    _require_manages(by, group)
    meeting = Meeting(
        group=group, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, venue=venue, host=host,
        outside_plan=outside_plan, outside_plan_reason=outside_plan_reason, expert_name=expert_name,
        expert_title=expert_title, expert_affiliation=expert_affiliation, session_plan=session_plan,
        created_by=by,
    )
    _check_meeting(meeting, topics, lead_speakers)
    save_as(meeting, by=by)
    meeting.topics.set(topics)
    meeting.lead_speakers.set(lead_speakers)
    return meeting


def _schedule(meeting: Meeting) -> tuple:
    """What a subscribed calendar shows of a meeting."""
    return (meeting.starts_at, meeting.ends_at, meeting.venue, meeting.title)


@transaction.atomic
def meeting_update(*, by: User, meeting: Meeting, topics=None, lead_speakers=None, **fields) -> Meeting:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    _require_editable(meeting)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    scheduled = _schedule(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    if _schedule(meeting) != scheduled:
        meeting.schedule_revision += 1
    topics = list(meeting.topics.all()) if topics is None else list(topics)
    lead_speakers = list(meeting.lead_speakers.all()) if lead_speakers is None else list(lead_speakers)
    _check_meeting(meeting, topics, lead_speakers)
    save_as(meeting, by=by)
    meeting.topics.set(topics)
    meeting.lead_speakers.set(lead_speakers)
    return meeting


@transaction.atomic
def meeting_notify(*, by: User, meeting: Meeting, message: str = "") -> MeetingNotice:
    """Send the notice to every current member. A second notice (after a change) is allowed while
    the meeting is still ahead; the first one moves it from planned to notified."""
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    Meeting.transitions.require(meeting, "notify")
    if meeting.has_ended:
        raise ValidationError(_("This meeting is over: there is nothing to give notice of."))
    if Meeting.transitions.apply(meeting, "notify") == S.PLANNED:
        stamp(meeting, by).save(update_fields=["status", "updated_at"])
    notice = MeetingNotice(meeting=meeting, message=message, sent_by=by)
    save_as(notice, by=by)
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, user_id=user_id) for user_id in current_member_ids(meeting.group).values_list("user", flat=True)]
    )
    # Inboxes, e-mail and the group's robots (issue 8): idempotent per notice.
    from sessions.reminders import meeting_notice_sent

    meeting_notice_sent(notice=notice)
    return notice


@transaction.atomic
def notice_mark_read(*, meeting: Meeting, user: User) -> int:
    return NoticeRecipient.objects.filter(
        notice__meeting=meeting, user=user, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def meeting_mark_held(*, by: User, meeting: Meeting) -> Meeting:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    if meeting.status == S.NOTIFIED and meeting.starts_at > timezone.now():
        raise ValidationError(_("The meeting has not started yet."))
    Meeting.transitions.apply(meeting, "hold")
    meeting.held_at = timezone.now()
    save_as(meeting, by=by)
    return meeting


@transaction.atomic
def meeting_archive(*, by: User, meeting: Meeting) -> Meeting:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    Meeting.transitions.apply(meeting, "archive")
    meeting.archived_at = timezone.now()
    meeting.archived_by = by
    save_as(meeting, by=by)
    archive_build_request(meeting=meeting, by=by)  # the office's copy, from the frozen record
    return meeting


@transaction.atomic
def meeting_cancel(*, by: User, meeting: Meeting, reason: str) -> Meeting:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    Meeting.transitions.require(meeting, "cancel")
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for cancelling.")})
    Meeting.transitions.apply(meeting, "cancel")
    meeting.schedule_revision += 1
    meeting.cancel_reason = reason.strip()
    save_as(meeting, by=by)
    return meeting


@transaction.atomic
def meeting_renew_sign_in_code(*, by: User, meeting: Meeting) -> Meeting:
    """A new secret: every code shown or forwarded before stops working."""
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    meeting.signin_secret = new_secret()
    stamp(meeting, by).save(update_fields=["signin_secret", "updated_at"])
    return meeting


# --- sign-in by QR code -----------------------------------------------------------------------

SIGN_IN_SALT = "meetings.sign-in"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGN_IN_SALT)


def sign_in_code(meeting: Meeting) -> str:
    """The code in the QR: the meeting's id and secret, signed with the time it was made."""
    return _signer().sign_object({"m": meeting.pk, "s": meeting.signin_secret}, compress=True)


def sign_in_check(*, meeting: Meeting, code: str, now: datetime | None = None) -> None:
    """Raise ValidationError with the reason a member can read if the code may not be used."""
    now = now or timezone.now()
    max_age = settings.SIGN_IN_CODE_MAX_AGE_MINUTES * 60
    try:
        payload = _signer().unsign_object(code, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This sign-in code has expired. Scan the code shown at the meeting again."), code="expired"
        )
    except signing.BadSignature:
        raise ValidationError(_("This sign-in code is not valid."), code="invalid")
    if payload.get("m") != meeting.pk:
        raise ValidationError(_("This sign-in code belongs to another meeting."), code="other_meeting")
    if payload.get("s") != meeting.signin_secret:
        raise ValidationError(
            _("This sign-in code has been replaced. Scan the code shown at the meeting again."), code="renewed"
        )
    if meeting.status in (S.CANCELLED, S.ARCHIVED):
        raise ValidationError(_("This meeting is cancelled or archived."), code="closed")
    if now < meeting.sign_in_opens_at:
        raise ValidationError(
            _("Sign-in opens %(minutes)s minutes before the meeting starts.")
            % {"minutes": settings.SIGN_IN_OPENS_MINUTES_BEFORE},
            code="too_early",
        )
    if now > meeting.ends_at:
        raise ValidationError(_("The meeting is over: sign-in has closed."), code="too_late")


@transaction.atomic
def attendance_sign_in(*, meeting: Meeting, code: str, user: User, now: datetime | None = None) -> Attendance:
    """A member signs themselves in. Signing in twice changes nothing."""
    now = now or timezone.now()
    meeting = locked(meeting)
    sign_in_check(meeting=meeting, code=code, now=now)
    if not _is_current_member(meeting.group, user):
        raise ValidationError(_("You are not a member of this study group, so you cannot sign in here."), code="not_member")
    status = Attendance.Status.LATE if now > meeting.late_after else Attendance.Status.PRESENT
    attendance = Attendance.objects.filter(meeting=meeting, user=user).first()
    if attendance and attendance.status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
        return attendance
    if attendance is None:
        attendance = Attendance(meeting=meeting, user=user)
    attendance.status = status
    attendance.leave_reason = ""
    attendance.source = Attendance.Source.SIGN_IN
    attendance.signed_in_at = now
    attendance.recorded_by = user
    attendance.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            stamp(attendance, user).save()
    except IntegrityError:  # a parallel double tap won the race: theirs stands
        return Attendance.objects.get(meeting=meeting, user=user)
    return attendance


# --- attendance recorded by staff -------------------------------------------------------------


@transaction.atomic
def attendance_record(*, by: User, meeting: Meeting, entries: dict[int, tuple[str, str]]) -> list[Attendance]:
    """Staff record the sheet: ``entries`` maps a member's user id to (status, leave reason).

    Only rows whose status or reason change are written, so saving the sheet twice is harmless.
    """
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    _require_editable(meeting)
    if not entries:
        return []
    members = set(current_member_ids(meeting.group).values_list("user", flat=True))
    existing = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting, user_id__in=list(entries))}
    outsiders = [uid for uid in entries if uid not in members and uid not in existing]
    if outsiders:
        raise ValidationError(_("Only members of the group can be given attendance."))
    valid = set(Attendance.Status.values)
    not_yet = timezone.now() < meeting.sign_in_opens_at
    errors, changed = [], []
    for user_id, (status, reason) in entries.items():
        reason = (reason or "").strip()
        if status not in valid:
            errors.append(_("Unknown attendance status."))
            continue
        if status == Attendance.Status.LEAVE and not reason:
            errors.append(_("Give a reason for each leave."))
            continue
        if not_yet and status != Attendance.Status.LEAVE:
            errors.append(_("Before the meeting only leave can be recorded."))
            continue
        if status != Attendance.Status.LEAVE:
            reason = ""
        row = existing.get(user_id)
        if row is not None and row.status == status and row.leave_reason == reason:
            continue
        if row is None:
            row = Attendance(meeting=meeting, user_id=user_id)
        row.status, row.leave_reason = status, reason
        row.source = Attendance.Source.STAFF
        row.recorded_by = by
        changed.append(row)
    if errors:
        raise ValidationError(sorted(set(errors)))
    for row in changed:
        row.full_clean(validate_constraints=False)
        stamp(row, by).save()
    return changed


@transaction.atomic
def attendance_request_leave(*, meeting: Meeting, user: User, reason: str) -> Attendance:
    """A member asks for leave before the meeting starts."""
    meeting = locked(meeting)
    if not _is_current_member(meeting.group, user):
        raise ValidationError(_("Only members of the group can ask for leave."))
    if meeting.status not in (S.PLANNED, S.NOTIFIED) or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Leave can only be asked for before the meeting starts."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the leave.")})
    attendance = Attendance.objects.filter(meeting=meeting, user=user).first() or Attendance(meeting=meeting, user=user)
    attendance.status = Attendance.Status.LEAVE
    attendance.leave_reason = reason.strip()
    attendance.source = Attendance.Source.LEAVE_REQUEST
    attendance.recorded_by = user
    attendance.full_clean(validate_constraints=False)
    stamp(attendance, user).save()
    return attendance


# --- make-up study (补课) ----------------------------------------------------------------------


@transaction.atomic
def makeup_submit(*, by: User, attendance: Attendance, content: str, studied_on: date) -> Attendance:
    attendance = Attendance.objects.select_for_update().select_related("meeting").get(pk=attendance.pk)
    if attendance.user_id != by.pk:
        raise PermissionDenied
    if attendance.status not in (Attendance.Status.LEAVE, Attendance.Status.ABSENT):
        raise ValidationError(_("Only those on leave or absent owe make-up study."))
    if attendance.makeup_confirmed_at:
        raise ValidationError(_("This make-up study has already been confirmed."))
    errors = {}
    if not content.strip():
        errors["content"] = _("Say what you studied.")
    if studied_on > timezone.localdate():
        errors["studied_on"] = _("The date cannot be in the future.")
    elif studied_on < timezone.localtime(attendance.meeting.starts_at).date():
        errors["studied_on"] = _("Make-up study comes after the meeting.")
    if errors:
        raise ValidationError(errors)
    attendance.makeup_content = content.strip()
    attendance.makeup_studied_on = studied_on
    attendance.makeup_submitted_at = timezone.now()
    stamp(attendance, by).save()
    return attendance


@transaction.atomic
def makeup_confirm(*, by: User, attendance: Attendance) -> Attendance:
    attendance = Attendance.objects.select_for_update().select_related("meeting__group").get(pk=attendance.pk)
    _require_manages(by, attendance.meeting.group)
    if attendance.makeup_submitted_at is None:
        raise ValidationError(_("Nothing has been entered for this make-up study yet."))
    if attendance.makeup_confirmed_at is not None:
        return attendance
    attendance.makeup_confirmed_by = by
    attendance.makeup_confirmed_at = timezone.now()
    stamp(attendance, by).save()
    _tell_makeup_decided(attendance, by=by)
    return attendance


def _tell_makeup_decided(attendance: Attendance, *, by: User) -> None:
    """The member learns that the make-up study they entered was confirmed (inbox, e-mail by
    their preferences; not the group's robots)."""
    from members.notifications.models import NotificationKind
    from members.notifications.services import notification_send

    meeting = attendance.meeting
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Your make-up study for “%(meeting)s” was confirmed") % {"meeting": meeting.title}
        body = _("Confirmed by %(who)s.") % {"who": by.get_full_name()}
    notification_send(
        kind=NotificationKind.MAKEUP_DECIDED, obj=attendance, recipients=[attendance.user], occasion="confirmed",
        title=title, body=body, url=meeting.get_absolute_url(), group=meeting.group, robots=False, by=by,
    )


# --- minutes, speeches, report ----------------------------------------------------------------


def _require_started(meeting: Meeting) -> None:
    if meeting.status in (S.PLANNED,) or meeting.starts_at > timezone.now():
        raise ValidationError(_("This can only be recorded once the meeting has taken place."))


@transaction.atomic
def minutes_save(*, by: User, meeting: Meeting, text: str) -> Minutes:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    _require_editable(meeting)
    _require_started(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes(meeting=meeting, entered_by=by)
    if minutes.pk and minutes.text == text.strip():
        return minutes
    minutes.text = text.strip()
    minutes.full_clean(exclude=["meeting"])
    stamp(minutes, by).save()
    return minutes


def _check_speaker(meeting: Meeting, speaker: User) -> None:
    if not Membership.objects.filter(group=meeting.group, user=speaker).exists():
        raise ValidationError({"speaker": _("The speaker must be a member of the group.")})


@transaction.atomic
def speech_add(*, by: User, meeting: Meeting, speaker: User, title: str, kind: str = Speech.Kind.DISCUSSION,
               summary: str = "") -> Speech:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    _require_editable(meeting)
    _require_started(meeting)
    _check_speaker(meeting, speaker)
    speech = Speech(meeting=meeting, speaker=speaker, title=title.strip(), kind=kind, summary=summary,
                    entered_by=by, position=meeting.speeches.count() + 1)
    save_as(speech, by=by)
    return speech


@transaction.atomic
def speech_update(*, by: User, speech: Speech, speaker: User, title: str, kind: str, summary: str = "") -> Speech:
    _require_manages(by, speech.meeting.group)
    _require_editable(speech.meeting)
    _check_speaker(speech.meeting, speaker)
    speech.speaker, speech.title, speech.kind, speech.summary = speaker, title.strip(), kind, summary
    save_as(speech, by=by)
    return speech


@transaction.atomic
def report_save(*, by: User, meeting: Meeting, title: str = "", text: str = "", link: str = "",
                published_on: date | None = None) -> PublicityReport:
    _require_manages(by, meeting.group)
    meeting = locked(meeting)
    _require_editable(meeting)
    _require_started(meeting)
    report = PublicityReport.objects.filter(meeting=meeting).first() or PublicityReport(meeting=meeting, entered_by=by)
    report.title, report.text, report.link, report.published_on = title.strip(), text.strip(), link.strip(), published_on
    if not report.text and not report.link:
        raise ValidationError({"text": _("A report needs its text or a link.")})
    report.full_clean(exclude=["meeting"])
    stamp(report, by).save()
    return report


# --- materials ---------------------------------------------------------------------------------

@transaction.atomic
def material_add(*, by: User, title: str, meeting: Meeting | None = None, topic=None,
                 upload: UploadedFile | None = None, url: str = "") -> Material:
    if (meeting is None) == (topic is None):
        raise ValidationError(_("A material belongs to a meeting or a plan topic."))
    group = meeting.group if meeting is not None else topic.plan.group
    _require_manages(by, group)
    if meeting is not None:
        _require_editable(meeting)
    if (upload is None) == (not url):
        raise ValidationError({"file": _("Upload a file or give a link, not both.")})
    material = Material(group=group, meeting=meeting, topic=topic, title=title.strip(), url=url.strip(),
                        uploaded_by=by)
    if upload is not None:
        checked = check_upload(upload, "material", error_key="file")
        material.original_name = checked.original_name
        material.content_type = checked.content_type
        material.size = checked.size
        material.title = material.title or PurePosixPath(material.original_name).stem
        # The stored name is generated (upload_to); only the checked extension is kept.
        upload.name = f"upload{checked.extension}"
        material.file = upload
    save_as(material, by=by)
    return material


@transaction.atomic
def material_withdraw(*, by: User, material: Material) -> Material:
    """Materials are withdrawn, not deleted: the archive still says what was handed out."""
    _require_manages(by, material.group)
    if material.withdrawn_at is None:
        material.withdrawn_at = timezone.now()
        stamp(material, by).save()
    return material


# --- calendar feed ----------------------------------------------------------------------------


def feed_for(user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_reset(*, user: User) -> CalendarFeed:
    feed = feed_for(user)
    feed.token = new_secret()
    feed.created_at = timezone.now()
    feed.save()
    return feed


# --- first-agenda study -----------------------------------------------------------------------

FIRST_AGENDA_FIELDS = ("held_on", "meeting_name", "studied", "source", "source_date", "led_by", "notes")


def _require_manages_org(by: User, organization: Organization) -> None:
    require_perm(by, "meetings.manage_first_agenda", organization)


@transaction.atomic
def first_agenda_create(*, by: User, organization: Organization, held_on: date, meeting_name: str, studied: str,
                        source: str = "", source_date: date | None = None, led_by: str = "",
                        notes: str = "") -> FirstAgendaStudy:
    _require_manages_org(by, organization)
    study = FirstAgendaStudy(organization=organization, held_on=held_on, meeting_name=meeting_name,
                             studied=studied, source=source, source_date=source_date, led_by=led_by,
                             notes=notes, created_by=by)
    _check_first_agenda(study)
    save_as(study, by=by)
    return study


def _check_first_agenda(study: FirstAgendaStudy) -> None:
    if study.source_date and study.held_on and study.source_date > study.held_on:
        raise ValidationError({"source_date": _("The speech cannot be dated after the meeting that studied it.")})


@transaction.atomic
def first_agenda_update(*, by: User, study: FirstAgendaStudy, **fields) -> FirstAgendaStudy:
    _require_manages_org(by, study.organization)
    for name, value in fields.items():
        if name not in FIRST_AGENDA_FIELDS:
            raise TypeError(name)
        setattr(study, name, value)
    _check_first_agenda(study)
    save_as(study, by=by)
    return study


@transaction.atomic
def measure_add(*, by: User, study: FirstAgendaStudy, description: str, owner: str,
                due_on: date | None = None) -> FollowUpMeasure:
    _require_manages_org(by, study.organization)
    measure = FollowUpMeasure(study=study, description=description.strip(), owner=owner.strip(), due_on=due_on)
    save_as(measure, by=by)
    return measure


@transaction.atomic
def measure_update(*, by: User, measure: FollowUpMeasure, description: str, owner: str, due_on: date | None,
                   done: bool, done_on: date | None = None, done_note: str = "") -> FollowUpMeasure:
    _require_manages_org(by, measure.study.organization)
    if done and done_on is None:
        done_on = timezone.localdate()
    if done_on and done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    measure.description, measure.owner, measure.due_on = description.strip(), owner.strip(), due_on
    measure.done, measure.done_on, measure.done_note = done, (done_on if done else None), done_note
    save_as(measure, by=by)
    return measure


# --- observation visits -----------------------------------------------------------------------


def supervising_organizations(by: User, meeting: Meeting):
    """Organisations the user manages that sit above the meeting's group: who may observe it."""
    ancestors = Organization.objects.get_ancestors(meeting.group.organization)
    return scoping.managed_organizations(by).filter(pk__in=ancestors.values("pk"))


@transaction.atomic
def observation_create(*, by: User, meeting: Meeting, organization: Organization, observers: str,
                       score: int | None = None, grade: str = "", comments: str = "", rectification: str = "",
                       points: list[str] = ()) -> Observation:
    if not supervising_organizations(by, meeting).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if meeting.status in (S.PLANNED, S.CANCELLED) or meeting.starts_at > timezone.now():
        raise ValidationError(_("A visit is recorded for a meeting that has taken place."))
    observation = Observation(meeting=meeting, organization=organization, observers=observers.strip(), score=score,
                              grade=grade, comments=comments, rectification=rectification, recorded_by=by)
    save_as(observation, by=by)
    for text in points:
        if text.strip():
            point = ObservationPoint(observation=observation, text=text.strip())
            stamp(point, by).save()
    return observation


@transaction.atomic
def observation_point_add(*, by: User, observation: Observation, text: str) -> ObservationPoint:
    require_perm(by, "meetings.change_observation", observation)
    point = ObservationPoint(observation=observation, text=text.strip())
    save_as(point, by=by)
    return point


@transaction.atomic
def observation_point_answer(*, by: User, point: ObservationPoint, answer: str) -> ObservationPoint:
    """The visited group's staff answer a point; the first answer's time is kept."""
    require_perm(by, "meetings.answer_observation", point.observation)
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    point = ObservationPoint.objects.select_for_update().get(pk=point.pk)
    point.answer = answer.strip()
    point.answered_by = by
    point.answered_at = point.answered_at or timezone.now()
    save_as(point, by=by)
    return point


# --- 学习资料汇编: the meeting's materials as one PDF, built by the worker --------------------------

BUNDLE_STALE_AFTER_SECONDS = 15 * 60


def material_bundle_contents(meeting: Meeting) -> tuple[list, str]:
    """(materials, stamp): the meeting's current materials and a stamp naming them (a material
    added, withdrawn or reordered changes it)."""
    from sessions import selectors

    materials = list(selectors.meeting_materials(meeting))
    stamp_text = ",".join(f"{m.pk}:{m.position}:{m.size}" for m in materials) or "-"
    return materials, stamp_text[:200]


def material_bundle_request(*, meeting: Meeting, by: User):
    """Ask the worker for the meeting's 学习资料汇编. The build of the same materials that is done
    or under way is returned as it is; otherwise a new one is queued. Returns (bundle, started)."""
    from sessions.models import MaterialBundle

    require_perm(by, "meetings.manage_meeting", meeting)
    materials, contents = material_bundle_contents(meeting)
    if not materials:
        raise ValidationError(_("The meeting has no materials to compile yet."))
    return build_reuse_or_queue(
        MaterialBundle, task="meetings.build_material_bundle", stale_after=BUNDLE_STALE_AFTER_SECONDS,
        key={"meeting": meeting, "contents": contents}, extra={"requested_by": by},
    )


def material_bundle_run(*, build_id: int):
    """The worker's half: make the PDF and store it, saving the progress as it goes."""
    from django.core.files.base import ContentFile

    from sessions import bundles
    from sessions.models import MaterialBundle

    bundle, claimed = build_claim(MaterialBundle, build_id, stale_after=BUNDLE_STALE_AFTER_SECONDS)
    if not claimed:
        return bundle
    try:
        materials, _contents = material_bundle_contents(bundle.meeting)
        with translation.override(settings.LANGUAGE_CODE):
            data, pages, left_out = bundles.bundle_pdf(
                bundle.meeting, materials,
                progress=lambda value: build_progress(MaterialBundle, build_id, value),
            )
        bundle.refresh_from_db()
        bundle.file.save(f"bundle-{bundle.meeting_id}.pdf", ContentFile(data), save=False)
        bundle.size, bundle.pages, bundle.left_out = len(data), pages, left_out
        bundle.status, bundle.progress, bundle.error = MaterialBundle.Status.DONE, 100, ""
        bundle.finished_at = timezone.now()
        bundle.save()
        return bundle
    except Exception as error:  # the reason is shown on the meeting's page
        return build_failed(MaterialBundle, build_id, error)


# --- the meeting's archive (会议档案) as a PDF, built by the worker -----------------------------

ARCHIVE_STALE_AFTER_SECONDS = 10 * 60


def archive_contents(meeting: Meeting) -> str:
    """What the office's copy is made from: an archived meeting's record no longer changes; an
    open one's is named by the digest of what it prints."""
    import hashlib

    from sessions import exports, selectors

    if meeting.status == Meeting.Status.ARCHIVED and meeting.archived_at:
        return f"archived {meeting.archived_at.isoformat()}"
    detailed = selectors.meeting_detail(Meeting.objects.all(), meeting.pk)
    return "sha256 " + hashlib.sha256(exports.archive_office_html(detailed).encode()).hexdigest()


def archive_build_request(*, meeting: Meeting, by: User):
    """Ask the worker for the office's copy of the meeting's archive (every member's attendance
    and reasons for leave: for those who see the whole sheet). The build of the same record that
    is done or under way is returned as it is. Returns (build, started)."""
    from sessions.models import ArchiveBuild

    require_perm(by, "meetings.see_attendance_sheet", meeting)
    return build_reuse_or_queue(
        ArchiveBuild, task="meetings.build_meeting_archive", stale_after=ARCHIVE_STALE_AFTER_SECONDS,
        key={"meeting": meeting, "contents": archive_contents(meeting)}, extra={"requested_by": by},
    )


def archive_build_run(*, build_id: int):
    """The worker's half: print the office's copy (PDF/A, in the site's language) and store it."""
    from django.core.files.base import ContentFile
    from pypdf import PdfReader

    from sessions import exports, selectors
    from sessions.models import ArchiveBuild

    build, claimed = build_claim(ArchiveBuild, build_id, stale_after=ARCHIVE_STALE_AFTER_SECONDS)
    if not claimed:
        return build
    try:
        meeting = selectors.meeting_detail(Meeting.objects.all(), build.meeting_id)
        with translation.override(settings.LANGUAGE_CODE):
            data = exports.archive_office_pdf(meeting)
        build.refresh_from_db()
        build.file.save(f"archive-{meeting.pk}.pdf", ContentFile(data), save=False)
        build.size, build.pages = len(data), len(PdfReader(io.BytesIO(data)).pages)
        build.status, build.progress, build.error = ArchiveBuild.Status.DONE, 100, ""
        build.finished_at = timezone.now()
        build.save()
        return build
    except Exception as error:  # the reason is shown on the archive page, with a retry
        return build_failed(ArchiveBuild, build_id, error)
