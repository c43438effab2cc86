"""Files in Chromium, as people use them: an .html, an .svg and an .exe renamed .pdf sent to every
upload field of the interface are each refused with a Chinese message while the rest of the form
keeps what was typed; a reflection's attachment downloads with its own name for the county's
staff and answers 404 to the sibling county's staff. Screenshots go to test-artifacts/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import browser_login
from studygroup.tests import upload_samples as samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "Test@2026pass"


def _shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"files-{name}.png"), full_page=True)


@pytest.fixture
def hostile(tmp_path):
    paths = []
    for name, data in samples.hostile_files():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def _refuses_each(tab, url, files, *, fill, file_input, kept, submit="main form button[type=submit]", shot=None):
    """Open ``url``, type the other fields (``fill``), choose each of ``files`` and send: a
    Chinese refusal, and what was typed is still there."""
    for number, path in enumerate(files):
        tab.goto(url)
        fill(tab)
        tab.set_input_files(file_input, str(path))
        tab.locator(submit).first.click()
        tab.wait_for_load_state()
        errors = " ".join(tab.locator(".invalid-feedback, .alert-danger").all_inner_texts())
        assert f"“{path.name}”是" in errors
        assert "不能在此上传" in errors, (url, path.name, errors)
        assert "允许的类型" in errors
        for selector, value in kept.items():
            assert tab.input_value(selector) == value, (url, path.name, selector)
        if shot and number == 0:
            _shot(tab, shot)


def test_every_upload_field_refuses_html_svg_and_a_renamed_program(world, page, hostile):
    from members.work.tests.factories import work_for_permissions
    from plans.tests.factories import plan_world
    from reports.tests.permission_objects import objects
    from sessions.tests.factories import MeetingFactory

    base = page.base_url
    meeting = MeetingFactory(group=world.groups.bureau, title="集中学习")
    topic = plan_world(world).published.topics.first()
    item = objects(world).item
    work_for_permissions(world, "meeting")

    browser_login(page, "staff", PASSWORD)
    _refuses_each(
        page, f"{base}{reverse('meetings:material-create', args=[meeting.pk])}", hostile,
        fill=lambda tab: tab.fill("input[name=title]", "县委书记讲话汇编"),
        file_input="input[name=file]", kept={"input[name=title]": "县委书记讲话汇编"}, shot="refused-material",
    )
    _refuses_each(
        page, f"{base}{reverse('meetings:topic-material-create', args=[topic.pk])}", hostile,
        fill=lambda tab: tab.fill("input[name=title]", "专题辅导材料"),
        file_input="input[name=file]", kept={"input[name=title]": "专题辅导材料"},
    )
    _refuses_each(
        page, f"{base}{reverse('reports:item-start', args=[item.pk])}", hostile,
        fill=lambda tab: tab.fill("textarea[name=note]", "已召开专题会议部署整改"),
        file_input="input[name=evidence]", kept={"textarea[name=note]": "已召开专题会议部署整改"},
        shot="refused-evidence",
    )

    def plan_fields(tab):
        tab.select_option("select[name=group]", str(world.groups.bureau.pk))
        tab.fill("textarea[name=text]", "粘贴的计划正文")

    _refuses_each(
        page, f"{base}{reverse('plans:plan-import')}", hostile, fill=plan_fields, file_input="input[name=file]",
        kept={"textarea[name=text]": "粘贴的计划正文", "select[name=group]": str(world.groups.bureau.pk)},
        shot="refused-plan-import",
    )

    # Members' work: the three kinds that take a file.
    page.context.clear_cookies()
    browser_login(page, "member", PASSWORD)

    def reflection(tab):
        tab.fill("input[name=title]", "学习全会精神的体会")
        tab.fill("textarea[name=body]", "深刻领会全会精神，结合工作实际抓好落实。")

    _refuses_each(
        page, f"{base}{reverse('work:work-create', args=['reflection'])}", hostile, fill=reflection,
        file_input="input[name=attachment]", submit="button[name=save]",
        kept={"input[name=title]": "学习全会精神的体会", "textarea[name=body]": "深刻领会全会精神，结合工作实际抓好落实。"},
        shot="refused-reflection",
    )

    def research(tab):
        tab.fill("input[name=new_research_topic]", "乡村振兴调研")
        tab.fill("input[name=title]", "关于乡村振兴的调研报告")

    _refuses_each(
        page, f"{base}{reverse('work:work-create', args=['research'])}", hostile, fill=research,
        file_input="input[name=attachment]", submit="button[name=save]",
        kept={"input[name=title]": "关于乡村振兴的调研报告", "input[name=new_research_topic]": "乡村振兴调研"},
    )

    def article(tab):
        tab.fill("input[name=title]", "理论文章一篇")
        tab.fill("input[name=outlet]", "江北日报")
        tab.select_option("select[name=level]", "provincial")
        tab.fill("input[name=occurred_on]", "2026-03-01")

    _refuses_each(
        page, f"{base}{reverse('work:work-create', args=['article'])}", hostile, fill=article,
        file_input="input[name=attachment]", submit="button[name=save]",
        kept={"input[name=title]": "理论文章一篇", "input[name=outlet]": "江北日报"},
    )


def test_a_file_over_the_cap_is_stopped_in_the_browser_before_sending(world, page, tmp_path):
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.bureau)
    big = tmp_path / "很大的资料.pdf"
    with big.open("wb") as handle:
        handle.write(samples.PDF)
        handle.truncate(settings.MATERIAL_MAX_UPLOAD_MB * 1024 * 1024 + 1)
    browser_login(page, "staff", PASSWORD)
    page.goto(f"{page.base_url}{reverse('meetings:material-create', args=[meeting.pk])}")
    page.set_input_files("input[name=file]", str(big))
    feedback = page.locator(".upload-size-feedback")
    assert "不能超过" in feedback.inner_text()
    assert "很大的资料.pdf" in feedback.inner_text()
    assert page.eval_on_selector("input[name=file]", "input => input.files.length") == 0


def test_reflection_attachment_downloads_for_staff_and_is_not_found_for_the_sibling_county(world, page):
    from members.work.tests.factories import work_for_permissions
    from sessions import services as meeting_services
    from sessions.tests.factories import MeetingFactory

    work = work_for_permissions(world, "attached")
    meeting = MeetingFactory(group=world.groups.bureau, title="集中学习：全会精神")
    for name, data in [("学习资料汇编.pdf", samples.PDF), ("讲话原文.docx", samples.docx()),
                       ("现场照片.png", samples.image("PNG"))]:
        meeting_services.material_add(by=world.staff, meeting=meeting, title="", upload=samples.upload(name, data))
    base = page.base_url
    attachment_url = reverse("work:work-attachment", args=[work.pk])

    # The county's staff see the reflection with its attachment and download it by its name.
    browser_login(page, "staff", PASSWORD)
    page.goto(f"{base}{work.get_absolute_url()}")
    link = page.locator("a[data-test=work-attachment]")
    assert "心得附件.pdf" in link.inner_text()
    assert link.get_attribute("href") == attachment_url
    _shot(page, "download-reflection")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "心得附件.pdf"

    # A download list: the meeting's materials.
    page.goto(f"{base}{meeting.get_absolute_url()}")
    materials = page.inner_text("#materials")
    assert "学习资料汇编" in materials
    assert "讲话原文" in materials
    assert "现场照片" in materials
    page.locator("#materials").screenshot(path=str(ARTIFACTS / "files-download-list.png"))
    with page.expect_download() as info:
        page.click("#materials a:has-text('讲话原文')")
    assert info.value.suggested_filename == "讲话原文.docx"

    # The sibling county's staff: the reflection and its attachment do not exist for them.
    page.context.clear_cookies()
    browser_login(page, "sibling_staff", PASSWORD)
    response = page.goto(f"{base}{attachment_url}")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("body")
    assert page.goto(f"{base}{work.get_absolute_url()}").status == 404
    _shot(page, "sibling-404")
