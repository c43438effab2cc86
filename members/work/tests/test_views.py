"""Pages of members' own work: writing, scope (404 for others' ids), review in place with htmx,
constant queries on lists and the review queue, exports that open and read in Chinese."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Membership
from members.tests.factories import MembershipFactory, UserFactory
from members.work import services
from members.work.models import MemberWork, WorkKind, WorkStatus
from members.work.tests.factories import REFLECTION_TEXT, WorkAttendanceFactory, WorkMeetingFactory

pytestmark = pytest.mark.django_db


def _submitted(world, by=None, title="学习心得", meeting=None, body=REFLECTION_TEXT):
    by = by or world.member
    meeting = meeting or WorkMeetingFactory(group=world.groups.bureau)
    work = services.work_create(
        by=by, kind=WorkKind.REFLECTION, group=world.groups.bureau, title=title, body=body, meeting=meeting
    )
    return services.work_submit(work=work, by=by)


def test_member_writes_and_submits_a_reflection_in_the_browser_form(world, client):
    meeting = WorkMeetingFactory(group=world.groups.bureau, title="第三季度集中学习")
    WorkAttendanceFactory(meeting=meeting, user=world.member)
    client.force_login(world.member)
    page = client.get(reverse("work:work-create", args=["reflection"]) + f"?meeting={meeting.pk}")
    assert page.status_code == 200
    assert "第三季度集中学习" in page.content.decode()
    response = client.post(
        reverse("work:work-create", args=["reflection"]),
        {"group": world.groups.bureau.pk, "meeting": meeting.pk, "title": "学习体会", "body": REFLECTION_TEXT,
         "submit": "1"},
    )
    work = MemberWork.objects.get(title="学习体会")
    assert response.status_code == 302
    assert response["Location"] == work.get_absolute_url()
    assert work.status == WorkStatus.SUBMITTED
    assert work.author == world.member
    detail = client.get(work.get_absolute_url()).content.decode()
    assert "通过这次集中学习" in detail
    assert "已提交" in detail


@pytest.mark.parametrize("kind", [k for k, _ in WorkKind.choices])
def test_every_kind_has_a_form(world, client, kind):
    client.force_login(world.member)
    assert client.get(reverse("work:work-create", args=[kind])).status_code == 200


def test_article_and_lecture_are_entered(world, client):
    client.force_login(world.member)
    client.post(reverse("work:work-create", args=["article"]), {
        "group": world.groups.bureau.pk, "title": "以教育现代化支撑县域发展", "outlet": "临川日报",
        "level": "city", "occurred_on": "2026-03-02", "url": "https://example.org/a", "submit": "1",
    })
    client.post(reverse("work:work-create", args=["lecture"]), {
        "group": world.groups.bureau.pk, "lecture_kind": "party_class", "title": "讲党课：赓续红色血脉",
        "occurred_on": "2026-04-01", "place": "县教育局会议室", "audience": "机关党员", "audience_size": 45,
    })
    article = MemberWork.objects.get(kind="article")
    assert article.status == "submitted"
    assert article.counts_for_quota
    assert article.year == 2026
    assert MemberWork.objects.get(kind="lecture").audience_size == 45


def test_my_work_page_shows_due_returned_and_figures(world, client):
    meeting = WorkMeetingFactory(group=world.groups.bureau, title="待写心得的学习会")
    WorkAttendanceFactory(meeting=meeting, user=world.member)
    work = _submitted(world, title="被退回的心得")
    services.work_return(work=work, by=world.staff, comment="请联系实际")
    client.force_login(world.member)
    body = client.get(reverse("work:my-work")).content.decode()
    assert "我的学习" in body
    assert "待写心得的学习会" in body
    assert "被退回的心得" in body
    assert "请联系实际" in body


def test_others_ids_are_404(world, client):
    draft = services.work_create(by=world.member, kind=WorkKind.NOTE, group=world.groups.bureau, title="私人草稿")
    submitted = _submitted(world)
    client.force_login(world.other_member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("work:work-update", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("work:work-submit", args=[draft.pk])).status_code == 404
    client.force_login(world.sibling_staff)
    assert client.get(submitted.get_absolute_url()).status_code == 404
    assert client.post(reverse("work:work-review", args=[submitted.pk]), {"decision": "accept"}).status_code == 404
    assert client.get(reverse("work:review-queue", args=[world.groups.bureau.pk])).status_code == 404


def test_author_cannot_review_own_work_by_posting(world, client):
    work = _submitted(world)
    client.force_login(world.member)
    response = client.post(reverse("work:work-review", args=[work.pk]), {"decision": "accept"})
    assert response.status_code == 403
    work.refresh_from_db()
    assert work.status == WorkStatus.SUBMITTED


def test_review_in_place_with_htmx(world, client):
    work = _submitted(world)
    client.force_login(world.staff)
    queue = client.get(reverse("work:review-queue", args=[world.groups.bureau.pk])).content.decode()
    assert f'id="review-{work.pk}"' in queue
    assert "hx-post" in queue
    url = reverse("work:work-review", args=[work.pk])
    refused = client.post(url, {"decision": "return", "comment": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert "退回" in refused.content.decode()
    assert "<html" not in refused.content.decode()
    work.refresh_from_db()
    assert work.status == WorkStatus.SUBMITTED
    done = client.post(url, {"decision": "return", "comment": "请结合分管工作"}, HTTP_HX_REQUEST="true")
    assert "请结合分管工作" in done.content.decode()
    work.refresh_from_db()
    assert work.status == WorkStatus.RETURNED
    assert work.reviewed_by == world.staff


def test_secretary_sees_the_queue_and_the_copy_check(world, client):
    secretary = UserFactory(username="sec")
    MembershipFactory(user=secretary, group=world.groups.bureau, role=Membership.Role.SECRETARY)
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    _submitted(world, by=world.other_member, title="原文", meeting=meeting)
    _submitted(world, title="雷同", meeting=meeting)
    client.force_login(secretary)
    body = client.get(reverse("work:review-queue", args=[world.groups.bureau.pk])).content.decode()
    assert "雷同" in body
    assert "copy-mark" in body
    assert "100%" in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_queue_queries_do_not_grow(world, client):
    client.force_login(world.staff)
    list_url = reverse("work:work-list")
    queue_url = reverse("work:review-queue", args=[world.groups.bureau.pk])
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    _submitted(world, meeting=meeting, title="一")
    client.get(list_url)  # warm caches (content types, sessions)
    few = (_queries(client, list_url), _queries(client, queue_url))
    for n in range(6):
        _submitted(world, by=world.other_member if n % 2 else world.member, meeting=meeting, title=f"篇{n}",
                   body=REFLECTION_TEXT + f"第{n}篇。")
    many = (_queries(client, list_url), _queries(client, queue_url))
    assert many == few


def test_list_filters(world, client):
    a = _submitted(world, title="甲")
    services.work_create(by=world.other_member, kind=WorkKind.NOTE, group=world.groups.bureau, title="乙")
    client.force_login(world.staff)
    url = reverse("work:work-list")
    assert "甲" in client.get(url, {"kind": "reflection"}).content.decode()
    assert "甲" not in client.get(url, {"kind": "note"}).content.decode()
    assert "甲" in client.get(url, {"author": world.member.pk, "status": "submitted"}).content.decode()
    assert "甲" not in client.get(url, {"late": "true"}).content.decode()
    assert "甲" in client.get(url, {"date_from": a.occurred_on.isoformat()}).content.decode()


# --- exports ------------------------------------------------------------------------------------


@pytest.fixture
def exported(world):
    year = timezone.localdate().year
    work = _submitted(world, title="学习二十大精神的体会")
    services.work_accept(work=work, by=world.staff)
    return year


def test_excel_export_opens(world, client, exported):
    import openpyxl

    client.force_login(world.staff)
    response = client.get(reverse("work:work-export", args=[world.groups.bureau.pk, exported, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "学习二十大精神的体会" in values
    assert world.member.name in values


def test_word_compilation_has_contents_and_texts(world, client, exported):
    import docx

    client.force_login(world.leader)
    response = client.get(reverse("work:work-export", args=[world.groups.bureau.pk, exported, "docx"]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert "目录" in texts
    assert any("学习二十大精神的体会" in t for t in texts)
    assert any("通过这次集中学习" in t for t in texts)


def test_compilations_hold_accepted_pieces_unless_staff_include_the_waiting_ones(
    world, client, exported, django_capture_on_commit_callbacks
):
    import docx
    import pypdf

    _submitted(world, by=world.other_member, title="尚待审核的心得")
    client.force_login(world.staff)
    url = reverse("work:work-export", args=[world.groups.bureau.pk, exported, "docx"])

    accepted = "\n".join(p.text for p in docx.Document(io.BytesIO(client.get(url).content)).paragraphs)
    assert "学习二十大精神的体会" in accepted
    assert "尚待审核的心得" not in accepted

    everything = "\n".join(p.text for p in docx.Document(io.BytesIO(client.get(url, {"pieces": "all"}).content)).paragraphs)
    assert "尚待审核的心得" in everything
    assert "尚未审核" in everything  # the piece says it was not reviewed

    pdf = _built_compilation(client, world, exported, django_capture_on_commit_callbacks)
    assert "尚待审核的心得" not in "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    everything_pdf = _built_compilation(client, world, exported, django_capture_on_commit_callbacks, pieces="all")
    assert "尚待审核的心得" in "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(everything_pdf)).pages)

    queue = client.get(reverse("work:review-queue", args=[world.groups.bureau.pk]), {"pieces": "all"}).content.decode()
    assert "?pieces=all" in queue
    assert 'name="pieces" value="all"' in queue


def test_word_compilation_has_a_table_of_contents_word_fills_with_page_numbers(world, client, exported):
    import zipfile

    client.force_login(world.staff)
    data = client.get(reverse("work:work-export", args=[world.groups.bureau.pk, exported, "docx"])).content
    package = zipfile.ZipFile(io.BytesIO(data))
    body = package.read("word/document.xml").decode()
    assert 'TOC \\o "1-2"' in body
    assert 'w:fldCharType="begin"' in body
    assert 'w:fldCharType="end"' in body
    assert '<w:updateFields w:val="true"/>' in package.read("word/settings.xml").decode()


def _built_compilation(client, world, year, capture, **data) -> bytes:
    """Ask for the PDF compilation as the page's button does, let the worker build it (the
    on-commit task, run here), download it."""
    from members.work.models import CompilationBuild

    url = reverse("work:work-export", args=[world.groups.bureau.pk, year, "pdf"])
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302  # answered at once: the worker builds it
    build = CompilationBuild.objects.filter(all_pieces=data.get("pieces") == "all").latest("requested_at")
    assert build.status == CompilationBuild.Status.DONE, build.error
    download = client.get(reverse("work:compilation-download", args=[build.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content) if download.streaming else download.content


def test_the_pdf_compilation_is_built_by_the_worker_with_its_progress_on_the_queue_page(
    world, client, exported, django_capture_on_commit_callbacks
):
    import pypdf

    from members.work.models import CompilationBuild

    client.force_login(world.staff)
    url = reverse("work:work-export", args=[world.groups.bureau.pk, exported, "pdf"])
    assert client.get(url)["Content-Type"].startswith("text/html")  # a GET builds nothing: a button
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(_built_compilation(client, world, exported, django_capture_on_commit_callbacks))).pages)
    assert "目录" in text
    assert "学习二十大精神的体会" in text
    assert "通过这次集中学习" in text

    queue = client.get(reverse("work:review-queue", args=[world.groups.bureau.pk])).content.decode()
    assert 'data-test="compilation-download"' in queue
    build = CompilationBuild.objects.get()
    assert build.pages >= 2
    assert build.pieces == 1
    assert build.progress == 100

    # Asked again with nothing changed: the same build, nothing queued.
    again = client.post(url)
    assert again.status_code == 302
    assert CompilationBuild.objects.count() == 1

    # A running build's panel polls its status, which shows the progress.
    CompilationBuild.objects.filter(pk=build.pk).update(status=CompilationBuild.Status.BUILDING, progress=70)
    panel = client.get(reverse("work:compilation-status", args=[build.pk])).content.decode()
    assert "正在生成：70%" in panel
    assert "hx-trigger" in panel


def test_a_compilation_is_not_downloaded_outside_the_group_scope(world, client, exported, django_capture_on_commit_callbacks):
    from members.work.models import CompilationBuild

    client.force_login(world.staff)
    _built_compilation(client, world, exported, django_capture_on_commit_callbacks)
    build = CompilationBuild.objects.get()
    client.force_login(world.sibling_staff)
    assert client.get(reverse("work:compilation-download", args=[build.pk])).status_code == 404
    assert client.get(reverse("work:compilation-status", args=[build.pk])).status_code == 404
    client.force_login(world.member)
    assert client.get(reverse("work:compilation-download", args=[build.pk])).status_code == 404


def test_search_page(world, client):
    _submitted(world, title="关于教育公平的思考")
    client.force_login(world.staff)
    body = client.get(reverse("work:work-search"), {"q": "公平"}).content.decode()
    assert "关于教育公平的思考" in body


def test_search_queries_do_not_grow_with_hits(world, client):
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    _submitted(world, title="关于教育公平的思考", meeting=meeting)
    client.force_login(world.staff)
    url = reverse("work:work-search") + "?q=公平"
    client.get(url)  # warm caches (content types, sessions)
    few = _queries(client, url)
    for n in range(6):
        _submitted(world, by=world.other_member if n % 2 else world.member, meeting=meeting,
                   title=f"教育公平第{n}篇", body=REFLECTION_TEXT + f"第{n}篇。")
    many = _queries(client, url)
    assert many == few
    assert len(client.get(url).context["hits"]) == 7
