from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.tests.factories import MembershipFactory, UserFactory
from plans.tests.factories import TopicFactory
from sessions import selectors, services
from sessions.models import Attendance, Meeting, MeetingNotice, Minutes
from sessions.tests.factories import (
    PDF_BYTES,
    AttendanceFactory,
    MeetingFactory,
    MinutesFactory,
    ReportFactory,
    SpeechFactory,
)

pytestmark = pytest.mark.django_db


def _soon(hours=24):
    start = (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    return start, start + timedelta(hours=2)


def _create(world, **kwargs):
    starts_at, ends_at = _soon()
    fields = dict(by=world.staff, group=world.groups.bureau, title="集体学习", starts_at=starts_at, ends_at=ends_at)
    return services.meeting_create(**{**fields, **kwargs})


# --- scheduling -------------------------------------------------------------------------------


def test_meeting_create_records_the_meeting_and_its_topics(world):
    topic = TopicFactory(plan__group=world.groups.bureau)
    meeting = _create(world, topics=[topic], lead_speakers=[world.member], session_plan="一、传达学习")
    assert meeting.status == Meeting.Status.PLANNED
    assert list(meeting.topics.all()) == [topic]
    assert meeting.history.first().history_user == world.staff


def test_meeting_create_end_before_start_is_refused(world):
    starts_at, _ = _soon()
    with pytest.raises(ValidationError) as error:
        _create(world, starts_at=starts_at, ends_at=starts_at - timedelta(hours=1))
    assert "ends_at" in error.value.error_dict
    assert not Meeting.objects.exists()


def test_meeting_create_topic_of_another_group_is_refused(world):
    foreign = TopicFactory(plan__group=world.groups.township)
    with pytest.raises(ValidationError) as error:
        _create(world, topics=[foreign])
    assert "topics" in error.value.error_dict


def test_meeting_create_outside_plan_needs_a_reason(world):
    with pytest.raises(ValidationError) as error:
        _create(world, outside_plan=True)
    assert "outside_plan_reason" in error.value.error_dict


def test_meeting_create_lead_speaker_must_be_a_member(world):
    with pytest.raises(ValidationError):
        _create(world, lead_speakers=[world.township_member])


def test_meeting_create_lecture_needs_the_expert(world):
    with pytest.raises(ValidationError) as error:
        _create(world, kind=Meeting.Kind.LECTURE)
    assert "expert_name" in error.value.error_dict


def test_meeting_create_by_staff_of_another_county_is_refused(world):
    with pytest.raises(PermissionDenied):
        _create(world, by=world.sibling_staff)


# --- status -----------------------------------------------------------------------------------


def test_meeting_notify_sends_to_every_current_member_and_moves_to_notified(world):
    meeting = _create(world)
    notice = services.meeting_notify(by=world.staff, meeting=meeting, message="请提前阅读资料")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.NOTIFIED
    assert set(notice.recipients.values_list("user", flat=True)) == {world.member.pk, world.other_member.pk}
    # A second notice (after a change) is allowed and recorded.
    services.meeting_notify(by=world.staff, meeting=meeting)
    assert MeetingNotice.objects.filter(meeting=meeting).count() == 2


def test_meeting_planned_cannot_be_marked_held_without_a_notice(world):
    meeting = MeetingFactory(group=world.groups.bureau, status=Meeting.Status.PLANNED)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(by=world.staff, meeting=meeting)


def test_meeting_goes_from_notified_to_held_to_archived_and_then_is_locked(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    services.meeting_mark_held(by=world.staff, meeting=meeting)
    services.meeting_archive(by=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ARCHIVED
    assert meeting.archived_by == world.staff
    with pytest.raises(ValidationError):
        services.minutes_save(by=world.staff, meeting=meeting, text="事后补写")
    with pytest.raises(ValidationError):
        services.meeting_cancel(by=world.staff, meeting=meeting, reason="不开了")


def test_meeting_cancel_needs_a_reason(world):
    meeting = _create(world)
    with pytest.raises(ValidationError):
        services.meeting_cancel(by=world.staff, meeting=meeting, reason="  ")
    services.meeting_cancel(by=world.staff, meeting=meeting, reason="与县委常委会时间冲突")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_meeting_notify_for_a_past_meeting_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau, status=Meeting.Status.PLANNED)
    with pytest.raises(ValidationError):
        services.meeting_notify(by=world.staff, meeting=meeting)


# --- attendance -------------------------------------------------------------------------------


def test_attendance_record_for_a_non_member_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.attendance_record(
            by=world.staff, meeting=meeting, entries={world.township_member.pk: (Attendance.Status.PRESENT, "")}
        )
    assert not Attendance.objects.exists()


def test_attendance_record_leave_needs_a_reason(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.attendance_record(by=world.staff, meeting=meeting, entries={world.member.pk: ("leave", "")})


def test_attendance_record_twice_changes_nothing_the_second_time(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    entries = {world.member.pk: ("present", ""), world.other_member.pk: ("leave", "外出开会")}
    assert len(services.attendance_record(by=world.staff, meeting=meeting, entries=entries)) == 2
    assert services.attendance_record(by=world.staff, meeting=meeting, entries=entries) == []
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_attendance_before_the_meeting_only_leave(world):
    meeting = _create(world)
    with pytest.raises(ValidationError):
        services.attendance_record(by=world.staff, meeting=meeting, entries={world.member.pk: ("present", "")})
    services.attendance_record(by=world.staff, meeting=meeting, entries={world.member.pk: ("leave", "出差")})


def test_attendance_request_leave_by_a_member_before_the_meeting(world):
    meeting = _create(world)
    row = services.attendance_request_leave(meeting=meeting, user=world.member, reason="参加省里培训")
    assert row.status == Attendance.Status.LEAVE
    assert row.source == Attendance.Source.LEAVE_REQUEST
    past = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.attendance_request_leave(meeting=past, user=world.member, reason="迟了")
    with pytest.raises(ValidationError):
        services.attendance_request_leave(meeting=meeting, user=world.township_member, reason="不是成员")


# --- sign-in by QR code -----------------------------------------------------------------------


def _running(world, minutes_since_start=5):
    start = timezone.now() - timedelta(minutes=minutes_since_start)
    return MeetingFactory(group=world.groups.bureau, starts_at=start, ends_at=start + timedelta(hours=2))


def test_sign_in_in_the_window_marks_present(world):
    meeting = _running(world)
    row = services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.member)
    assert row.status == Attendance.Status.PRESENT
    assert row.source == Attendance.Source.SIGN_IN


def test_sign_in_after_the_grace_marks_late(world, settings):
    settings.SIGN_IN_LATE_AFTER_MINUTES = 10
    meeting = _running(world, minutes_since_start=25)
    row = services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.member)
    assert row.status == Attendance.Status.LATE


def test_sign_in_twice_keeps_one_row_and_the_first_time(world):
    meeting = _running(world)
    code = services.sign_in_code(meeting)
    first = services.attendance_sign_in(meeting=meeting, code=code, user=world.member)
    second = services.attendance_sign_in(meeting=meeting, code=code, user=world.member)
    assert first.pk == second.pk
    assert second.signed_in_at == first.signed_in_at
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_sign_in_before_the_window_is_refused(world, settings):
    settings.SIGN_IN_OPENS_MINUTES_BEFORE = 30
    meeting = _create(world)  # tomorrow
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.member)
    assert error.value.code == "too_early"


def test_sign_in_after_the_meeting_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)  # three days ago
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.member)
    assert error.value.code == "too_late"
    assert "已结束" in str(error.value.messages[0]) or error.value.messages


def test_sign_in_with_an_expired_code_is_refused(world, settings, monkeypatch):
    settings.SIGN_IN_CODE_MAX_AGE_MINUTES = 10
    meeting = _running(world)
    code = services.sign_in_code(meeting)
    import time as real_time

    later = real_time.time() + 11 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=code, user=world.member)
    assert error.value.code == "expired"


def test_sign_in_with_another_meetings_code_is_refused(world):
    meeting, other = _running(world), _running(world)
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(other), user=world.member)
    assert error.value.code == "other_meeting"


def test_sign_in_with_a_tampered_code_is_refused(world):
    meeting = _running(world)
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting) + "x", user=world.member)
    assert error.value.code == "invalid"


def test_sign_in_with_a_replaced_code_is_refused(world):
    meeting = _running(world)
    old = services.sign_in_code(meeting)
    services.meeting_renew_sign_in_code(by=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=old, user=world.member)
    assert error.value.code == "renewed"


def test_sign_in_by_a_non_member_is_refused(world):
    meeting = _running(world)
    with pytest.raises(ValidationError) as error:
        services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.staff)
    assert error.value.code == "not_member"


def test_sign_in_after_asking_for_leave_turns_the_row_to_present(world):
    meeting = _running(world)
    AttendanceFactory(meeting=meeting, user=world.member, status="leave", leave_reason="原定出差")
    row = services.attendance_sign_in(meeting=meeting, code=services.sign_in_code(meeting), user=world.member)
    assert row.status == Attendance.Status.PRESENT
    assert row.leave_reason == ""


# --- make-up study ----------------------------------------------------------------------------


def test_makeup_submitted_by_the_member_and_confirmed_by_staff(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    row = AttendanceFactory(meeting=meeting, user=world.member, status="absent")
    assert list(Attendance.objects.owing_makeup().filter(user=world.member)) == [row]
    services.makeup_submit(by=world.member, attendance=row, content="自学了会议资料汇编", studied_on=timezone.localdate())
    services.makeup_confirm(by=world.staff, attendance=row)
    row.refresh_from_db()
    assert row.makeup_confirmed_by == world.staff
    assert not Attendance.objects.owing_makeup().filter(user=world.member).exists()
    # The member is told, once (confirming again changes nothing).
    services.makeup_confirm(by=world.staff, attendance=row)
    from members.notifications.models import Notification, NotificationKind

    told = Notification.objects.get(recipient=world.member, kind=NotificationKind.MAKEUP_DECIDED)
    assert told.title == f"您在“{meeting.title}”中的补学已确认"
    assert world.staff.name in told.body
    assert told.url == meeting.get_absolute_url()


def test_makeup_by_someone_else_or_before_the_meeting_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    row = AttendanceFactory(meeting=meeting, user=world.member, status="leave", leave_reason="出差")
    with pytest.raises(PermissionDenied):
        services.makeup_submit(by=world.other_member, attendance=row, content="代写", studied_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.makeup_submit(by=world.member, attendance=row, content="自学",
                               studied_on=timezone.localdate() - timedelta(days=30))
    with pytest.raises(ValidationError):
        services.makeup_confirm(by=world.staff, attendance=row)  # nothing entered yet


# --- records and the seven records ------------------------------------------------------------


def test_seven_records_are_computed_from_what_exists(world):
    topic = TopicFactory(plan__group=world.groups.bureau)
    meeting = MeetingFactory(group=world.groups.bureau, session_plan="议程")
    meeting.topics.add(topic)
    records = {r["key"]: r["done"] for r in selectors.seven_records(meeting)}
    assert records["has_plan"]
    assert records["has_session_plan"]
    assert not records["has_minutes"]
    assert not records["has_attendance"]
    AttendanceFactory(meeting=meeting, user=world.member)
    MinutesFactory(meeting=meeting, entered_by=world.staff)
    SpeechFactory(meeting=meeting, speaker=world.member, entered_by=world.staff)
    ReportFactory(meeting=meeting, entered_by=world.staff)
    annotated = selectors.with_seven_records(Meeting.objects.filter(pk=meeting.pk)).get()
    done = {r["key"]: r["done"] for r in selectors.seven_records(annotated)}
    assert all(done[key] for key in ["has_plan", "has_session_plan", "has_minutes", "has_attendance",
                                     "has_discussion", "has_report"])
    applicable = sum(1 for v in done.values() if v is not None)
    assert annotated.records_applicable == applicable
    assert annotated.records_done == sum(1 for v in done.values() if v)


def test_minutes_entered_late_are_flagged_as_backfilled(world, settings):
    settings.BACKFILL_AFTER_DAYS = 30
    start = timezone.now() - timedelta(days=45)
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=start, ends_at=start + timedelta(hours=2))
    minutes = services.minutes_save(by=world.staff, meeting=meeting, text="会议记录（事后整理）")
    assert minutes.is_backfilled
    listed = selectors.annotate_backfill(list(selectors.meeting_list(Meeting.objects.filter(pk=meeting.pk))))[0]
    assert listed.minutes_backfilled
    assert listed.is_backfilled
    assert not listed.attendance_backfilled
    assert Meeting.objects.annotate(**selectors.list_annotations()).filter(selectors.backfilled_q()).count() == 1


def test_minutes_entered_in_time_are_not_backfilled(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    assert not services.minutes_save(by=world.staff, meeting=meeting, text="会议记录").is_backfilled
    assert Minutes.objects.get(meeting=meeting).entered_by == world.staff


def test_minutes_for_a_future_meeting_are_refused(world):
    meeting = _create(world)
    with pytest.raises(ValidationError):
        services.minutes_save(by=world.staff, meeting=meeting, text="提前写好的记录")


def test_speech_by_a_non_member_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.speech_add(by=world.staff, meeting=meeting, speaker=world.township_member, title="发言")


def test_report_needs_text_or_a_link(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.report_save(by=world.staff, meeting=meeting, title="标题")
    report = services.report_save(by=world.staff, meeting=meeting, link="https://example.org/news/1")
    assert report.link


# --- materials --------------------------------------------------------------------------------


def _docx_bytes():
    from docx import Document

    buffer = BytesIO()
    document = Document()
    document.add_paragraph("学习资料")
    document.save(buffer)
    return buffer.getvalue()


def test_material_pdf_is_stored_under_a_generated_name(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = SimpleUploadedFile("学习资料汇编.pdf", PDF_BYTES, content_type="application/pdf")
    material = services.material_add(by=world.staff, meeting=meeting, title="", upload=upload)
    assert material.content_type == "application/pdf"
    assert material.original_name == "学习资料汇编.pdf"
    assert "学习" not in material.file.name
    assert material.file.name.endswith(".pdf")
    assert material.title == "学习资料汇编"


def test_material_docx_is_recognised_by_its_contents(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = SimpleUploadedFile("讲话.docx", _docx_bytes(), content_type="application/octet-stream")
    material = services.material_add(by=world.staff, meeting=meeting, title="讲话原文", upload=upload)
    assert material.content_type.endswith("wordprocessingml.document")


def test_material_exe_renamed_pdf_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = SimpleUploadedFile("资料.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.material_add(by=world.staff, meeting=meeting, title="资料", upload=upload)
    assert "file" in error.value.error_dict


def test_material_zip_that_is_not_office_is_refused(world):
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.bat", "echo hi")
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = SimpleUploadedFile("资料.docx", buffer.getvalue())
    with pytest.raises(ValidationError):
        services.material_add(by=world.staff, meeting=meeting, title="资料", upload=upload)


def test_material_oversized_file_is_refused(world, settings):
    settings.MATERIAL_MAX_UPLOAD_MB = 1
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = SimpleUploadedFile("大文件.pdf", PDF_BYTES + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        services.material_add(by=world.staff, meeting=meeting, title="大文件", upload=upload)
    assert "1 MB" in str(error.value.error_dict["file"])


def test_material_by_a_member_is_refused(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    with pytest.raises(PermissionDenied):
        services.material_add(by=world.member, meeting=meeting, title="链接", url="https://example.org")


def test_material_withdrawn_is_kept_but_not_current(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    material = services.material_add(by=world.staff, meeting=meeting, title="链接", url="https://example.org")
    services.material_withdraw(by=world.staff, material=material)
    assert not selectors.meeting_materials(meeting).exists()
    assert meeting.materials.count() == 1


def test_material_of_a_topic_shows_on_meetings_of_that_topic(world):
    topic = TopicFactory(plan__group=world.groups.bureau)
    services.material_add(by=world.staff, topic=topic, title="专题读本", url="https://example.org/book")
    meeting = MeetingFactory(group=world.groups.bureau)
    assert not selectors.meeting_materials(meeting).exists()
    meeting.topics.add(topic)
    assert [m.title for m in selectors.meeting_materials(meeting)] == ["专题读本"]


# --- a member who left ------------------------------------------------------------------------


def test_attendance_sheet_lists_current_members_and_rows_of_former_ones(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    former = UserFactory(name="已调走的同志")
    MembershipFactory(user=former, group=world.groups.bureau, ended_on=timezone.localdate() - timedelta(days=1),
                      started_on=timezone.localdate() - timedelta(days=100))
    AttendanceFactory(meeting=meeting, user=former)
    sheet = selectors.attendance_sheet(meeting)
    assert [r.user for r in sheet if r.is_member] == [world.member, world.other_member]
    assert [r.user for r in sheet if not r.is_member] == [former]
