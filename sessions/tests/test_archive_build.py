"""The meeting's archive as the office keeps it (every member's attendance and reasons for
leave): a PDF/A the worker builds when the meeting is archived, or when staff ask for it before;
staff of the group and leaders above download it, a member prints only their own copy."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions import exports, services
from sessions.models import ArchiveBuild, Attendance, Meeting
from sessions.tests.factories import AttendanceFactory, MeetingFactory, MinutesFactory
from studygroup.tests.pdfa import pdfa_problems

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]

OWN_REASON = "家中老人住院"
OTHER_REASON = "赴省委党校参加中青班"


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神", status=Meeting.Status.HELD)
    AttendanceFactory(meeting=meeting, user=world.member, status=Attendance.Status.LEAVE, leave_reason=OWN_REASON)
    AttendanceFactory(meeting=meeting, user=world.other_member, status=Attendance.Status.LEAVE, leave_reason=OTHER_REASON)
    MinutesFactory(meeting=meeting, entered_by=world.staff, text="会议由局长主持，传达学习全会精神。")
    return meeting


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "").replace(" ", "")


def test_archiving_builds_the_office_copy_which_staff_download(client, world, meeting, django_capture_on_commit_callbacks):
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds it after the commit
        response = client.post(reverse("meetings:meeting-close", args=[meeting.pk]))
    assert response.status_code == 302
    build = ArchiveBuild.objects.get(meeting=meeting)
    assert build.status == ArchiveBuild.Status.DONE, build.error
    assert build.contents.startswith("archived ")
    assert build.pages >= 1
    assert build.requested_by == world.staff

    page = client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()
    assert 'data-test="archive-download"' in page
    assert 'data-test="archive-build-button"' not in page  # an archived record is built once
    download = client.get(reverse("meetings:archive-build-download", args=[build.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    data = _content(download)
    text = _text(data)
    assert "学习贯彻全会精神" in text
    assert OWN_REASON in text
    assert OTHER_REASON in text
    assert pdfa_problems(data) == []  # PDF/A: an archive that lasts

    again, started = services.archive_build_request(meeting=Meeting.objects.get(pk=meeting.pk), by=world.staff)
    assert started is False
    assert again == build
    assert ArchiveBuild.objects.filter(meeting=meeting).count() == 1


def test_a_leader_above_downloads_it_a_member_and_another_county_do_not(client, world, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build, _started = services.archive_build_request(meeting=meeting, by=world.staff)
    build.refresh_from_db()
    url = reverse("meetings:archive-build-download", args=[build.pk])
    client.force_login(world.leader)
    assert client.get(url).status_code == 200
    client.force_login(world.member)
    assert client.get(url).status_code == 404
    assert client.get(reverse("meetings:archive-build-status", args=[build.pk])).status_code == 404
    assert client.post(reverse("meetings:archive-build", args=[meeting.pk])).status_code == 403
    client.force_login(world.sibling_staff)
    assert client.get(url).status_code == 404
    assert client.post(reverse("meetings:archive-build", args=[meeting.pk])).status_code == 404


def test_a_member_prints_their_own_copy_in_the_request(client, world, meeting):
    client.force_login(world.member)
    page = client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()
    assert 'data-test="archive-build"' not in page
    response = client.post(reverse("meetings:meeting-archive-pdf", args=[meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert OWN_REASON in text
    assert OTHER_REASON not in text
    assert not ArchiveBuild.objects.exists()


def test_an_open_record_is_built_again_only_when_it_has_changed(client, world, meeting, django_capture_on_commit_callbacks):
    client.force_login(world.staff)
    url = reverse("meetings:archive-build", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        panel = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-test="archive-build"' in panel
    first = ArchiveBuild.objects.get(meeting=meeting)
    assert first.contents.startswith("sha256 ")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert ArchiveBuild.objects.filter(meeting=meeting).count() == 1  # nothing changed

    minutes = meeting.minutes
    services.minutes_save(by=world.staff, meeting=meeting, text=minutes.text + "会议要求各成员撰写心得体会。")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    builds = ArchiveBuild.objects.filter(meeting=meeting).order_by("pk")
    assert builds.count() == 2
    assert builds[1].contents != builds[0].contents
    assert "心得体会" in _text(builds[1].file.read())


def test_a_failed_build_says_why_and_can_be_asked_for_again(client, world, meeting, monkeypatch, django_capture_on_commit_callbacks):
    def broken(meeting):
        raise OSError("磁盘已满")

    monkeypatch.setattr(exports, "archive_office_pdf", broken)
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:archive-build", args=[meeting.pk]))
    build = ArchiveBuild.objects.get(meeting=meeting)
    assert build.status == ArchiveBuild.Status.FAILED
    page = client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()
    assert "磁盘已满" in page
    assert 'data-test="archive-build-button"' in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:archive-build", args=[meeting.pk]))
    assert ArchiveBuild.objects.filter(meeting=meeting, status=ArchiveBuild.Status.DONE).count() == 1


def test_the_panel_polls_while_the_worker_builds(client, world, meeting):
    build = ArchiveBuild.objects.create(meeting=meeting, contents="-", status=ArchiveBuild.Status.BUILDING, progress=40)
    client.force_login(world.staff)
    panel = client.get(reverse("meetings:archive-build-status", args=[build.pk])).content.decode()
    assert "hx-trigger" in panel
    assert "40%" in panel


def test_a_long_reason_for_leave_and_its_make_up_wrap_inside_the_page(world, meeting):
    """The 请假与补课 column of a long meeting: the whole reason and the make-up print, wrapped in
    their cell, never cut at the page's edge."""
    from django.utils import timezone

    from members.tests.factories import MembershipFactory, UserFactory
    from sessions import selectors

    reason = "赴省委党校参加为期两个月的中青年干部培训班学习，无法参加本次集中学习"
    for n in range(24):
        person = UserFactory(name=f"欧阳成员{n:02d}", organization=world.bureau, position="党组成员、副局长（挂职锻炼）")
        MembershipFactory(group=world.groups.bureau, user=person)
        AttendanceFactory(
            meeting=meeting, user=person, status=Attendance.Status.LEAVE, leave_reason=reason,
            makeup_content="自学全会公报", makeup_studied_on=timezone.localdate(), makeup_submitted_at=timezone.now(),
        )
    data = exports.archive_office_pdf(selectors.meeting_detail(Meeting.objects.all(), meeting.pk))
    from studygroup.tests.office import pdf_pages_text

    printed = "".join(pdf_pages_text(data)).replace(" ", "").replace("\n", "")
    assert printed.count("本次集中学习") == 24  # pdftotext drops what runs off the page
    assert printed.count("补课") >= 24
