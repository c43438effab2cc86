"""学习资料汇编: staff compile a meeting's materials into one PDF with a cover and a contents page;
the worker builds it; PDFs, pictures and (with LibreOffice) Word files are merged, links and
what cannot be merged are listed with the reason; members download it from the meeting."""

import io
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from sessions import services
from sessions.models import MaterialBundle, Meeting
from sessions.tests.factories import MeetingFactory

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


def _pdf(text: str, pages: int = 2) -> bytes:
    from django.template import engines

    html = "".join(f'<p style="break-after: page">{text} 第{n}页</p>' for n in range(1, pages + 1))
    template = engines["django"].from_string("{% extends 'documents/print_base.html' %}{% block content %}" + html + "{% endblock %}")
    from weasyprint import HTML

    return HTML(string=template.render({})).write_pdf()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "#b71c1c").save(buffer, "PNG")
    return buffer.getvalue()


def _docx() -> bytes:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("县委书记讲话稿全文")
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神", status=Meeting.Status.PLANNED)
    add = services.material_add
    add(by=world.staff, meeting=meeting, title="全会公报", upload=SimpleUploadedFile("公报.pdf", _pdf("全会公报"), content_type="application/pdf"))
    add(by=world.staff, meeting=meeting, title="学习图解", upload=SimpleUploadedFile("图解.png", _png(), content_type="image/png"))
    add(by=world.staff, meeting=meeting, title="讲话稿", upload=SimpleUploadedFile("讲话.docx", _docx(), content_type="application/octet-stream"))
    add(by=world.staff, meeting=meeting, title="学习强国专题", url="https://www.xuexi.cn/")
    return meeting


def _compile(client, meeting, capture):
    with capture(execute=True):  # the worker builds it
        response = client.post(reverse("meetings:material-bundle", args=[meeting.pk]))
    assert response.status_code == 302
    return MaterialBundle.objects.filter(meeting=meeting).latest("requested_at")


def test_staff_compile_the_materials_and_members_download_one_pdf_with_its_contents(
    world, client, meeting, django_capture_on_commit_callbacks
):
    client.force_login(world.staff)
    bundle = _compile(client, meeting, django_capture_on_commit_callbacks)
    assert bundle.status == MaterialBundle.Status.DONE, bundle.error
    with_office = shutil.which("soffice") is not None
    assert bundle.pages == 2 + 2 + 1 + (1 if with_office else 0)  # cover, contents, the PDF, the picture, Word
    assert [item["title"] for item in bundle.left_out] == ([] if with_office else ["讲话稿"]) + ["学习强国专题"]

    client.force_login(world.member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-test="bundle-download"' in page
    assert 'data-test="bundle-build"' not in page  # members download, staff compile
    response = client.get(reverse("meetings:material-bundle-download", args=[bundle.pk]))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(data))
    contents = reader.pages[1].extract_text().replace(" ", "")
    assert "全会公报" in contents
    assert "学习图解" in contents
    assert "学习强国专题" in contents
    assert "链接资料，请在线打开" in contents
    assert "全会公报第1页" in reader.pages[2].extract_text().replace(" ", "")  # its first page follows the contents
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert {"全会公报", "学习图解"} <= set(bookmarks)  # each material is a bookmark


def test_compiling_again_with_nothing_changed_starts_nothing_and_a_new_material_builds_anew(
    world, client, meeting, django_capture_on_commit_callbacks
):
    client.force_login(world.staff)
    first = _compile(client, meeting, django_capture_on_commit_callbacks)
    assert _compile(client, meeting, django_capture_on_commit_callbacks).pk == first.pk
    services.material_add(by=world.staff, meeting=meeting, title="补充材料", url="https://example.org/a")
    assert _compile(client, meeting, django_capture_on_commit_callbacks).pk != first.pk


def test_only_staff_compile_and_nobody_outside_downloads(world, client, meeting, django_capture_on_commit_callbacks):
    client.force_login(world.member)
    assert client.post(reverse("meetings:material-bundle", args=[meeting.pk])).status_code == 403
    client.force_login(world.staff)
    bundle = _compile(client, meeting, django_capture_on_commit_callbacks)
    client.force_login(world.sibling_staff)
    assert client.get(reverse("meetings:material-bundle-download", args=[bundle.pk])).status_code == 404
    assert client.get(reverse("meetings:material-bundle-status", args=[bundle.pk])).status_code == 404


def test_a_broken_material_is_listed_not_fatal(world, meeting):
    from sessions.bundles import bundle_pdf
    from sessions.selectors import meeting_materials

    materials = list(meeting_materials(meeting))
    broken = materials[0]
    broken.file.save("broken.pdf", io.BytesIO(b"%PDF-1.4 not really"), save=True)
    data, pages, left_out = bundle_pdf(meeting, list(meeting_materials(meeting)))
    assert any(item["title"] == "全会公报" for item in left_out)
    assert PdfReader(io.BytesIO(data)).pages
