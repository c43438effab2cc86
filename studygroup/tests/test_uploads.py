"""The one upload validator (studygroup.uploads): each type allowed and refused by content,
the extension agreeing with the content, size caps, zip bombs and unsafe XML in Office files."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from studygroup import uploads
from studygroup.tests import upload_samples as samples


def refusal(name, data, policy="material") -> ValidationError:
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(samples.upload(name, data), policy)
    return error.value


# --- allowed by content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make, key",
    [
        ("学习资料汇编.pdf", lambda: samples.PDF, "pdf"),
        ("讲话原文.docx", samples.docx, "docx"),
        ("台账.xlsx", samples.xlsx, "xlsx"),
        ("课件.pptx", samples.pptx, "pptx"),
        ("旧文档.doc", lambda: samples.ole("WordDocument"), "doc"),
        ("旧表格.xls", lambda: samples.ole("Workbook"), "xls"),
        ("旧课件.ppt", lambda: samples.ole("PowerPoint Document"), "ppt"),
        ("照片.png", lambda: samples.image("PNG"), "png"),
        ("照片.jpg", lambda: samples.image("JPEG"), "jpeg"),
        ("照片.JPEG", lambda: samples.image("JPEG"), "jpeg"),
        ("动图.gif", lambda: samples.image("GIF"), "gif"),
        ("图.webp", lambda: samples.image("WEBP"), "webp"),
        ("说明.txt", lambda: samples.TEXT, "txt"),
    ],
)
def test_check_upload_accepts_each_allowed_type_by_its_content(name, make, key):
    checked = uploads.check_upload(samples.upload(name, make()), "material")
    assert checked.file_type.key == key
    assert checked.original_name == name
    assert checked.content_type == uploads.FILE_TYPES[key].content_type


def test_check_upload_ignores_the_browsers_content_type():
    upload = samples.upload("讲话.docx", samples.docx(), content_type="text/html")
    assert uploads.check_upload(upload, "material").content_type == uploads.DOCX


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_check_upload_reads_text_in_the_encodings_chinese_windows_saves(encoding):
    data = "一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导。\n".encode(encoding)
    assert uploads.check_upload(samples.upload("计划.txt", data), "plan_import").file_type.key == "txt"


def test_check_upload_tells_csv_from_txt_by_the_extension_when_both_are_allowed(monkeypatch):
    policy = uploads.UploadPolicy(("txt", "csv"), "MATERIAL_MAX_UPLOAD_MB")
    monkeypatch.setitem(uploads.UPLOAD_POLICIES, "test_table", policy)
    assert uploads.check_upload(samples.upload("名单.csv", samples.CSV), "test_table").file_type.key == "csv"
    assert uploads.check_upload(samples.upload("名单.txt", samples.CSV), "test_table").file_type.key == "txt"


def test_check_upload_returns_the_first_answer_to_a_second_call():
    upload = samples.upload("资料.pdf", samples.PDF)
    first = uploads.check_upload(upload, "material")
    assert uploads.check_upload(upload, "material") is first
    assert upload.tell() == 0


# --- refused by content -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, kind",
    [
        ("学习资料.html", samples.HTML, "网页"),
        ("学习资料.txt", samples.HTML, "网页"),
        ("图表.svg", samples.SVG, "SVG"),
        ("资料汇编.pdf", samples.EXE, "可执行程序"),
        ("setup.exe", samples.EXE, "可执行程序"),
        ("资料.docx", samples.ELF, "可执行程序"),
        ("run.txt", samples.SCRIPT, "脚本"),
        ("数据.txt", b'<?xml version="1.0"?><data>1</data>', "XML"),
        ("压缩包.docx", b"", "压缩包"),  # filled in below: a zip without Office parts
        ("带宏.docx", b"", "宏"),  # filled in below: a macro-enabled Word file
        ("带宏.doc", samples.ole("WordDocument", macros=True), "宏"),
    ],
)
def test_check_upload_refuses_what_is_not_allowed_and_says_what_it_is(name, data, kind):
    if name == "压缩包.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("run.bat", "echo hi")
        data = buffer.getvalue()
    if name == "带宏.docx":
        data = samples.office("docm")
    error = refusal(name, data)
    message = error.messages[0]
    assert kind in message
    assert "允许的类型" in message
    assert "PDF（.pdf）" in message
    assert name in message


def test_check_upload_refuses_text_with_a_script_tag_anywhere():
    data = ("会议纪要\n" * 5000 + "<script>alert(1)</script>\n").encode()
    assert "网页" in refusal("纪要.txt", data).messages[0]


def test_check_upload_refuses_a_type_the_field_does_not_take():
    error = refusal("照片.png", samples.image("PNG"), policy="plan_import")
    assert error.code == "type_not_allowed"
    assert "Word（.docx）" in error.messages[0]
    assert "文本（.txt）" in error.messages[0]


def test_check_upload_gives_the_plan_import_hint_for_an_old_doc():
    error = refusal("计划.doc", samples.ole("WordDocument"), policy="plan_import")
    assert ".docx" in error.messages[0]
    assert "另存为" in error.messages[0]


def test_check_upload_refuses_binary_it_cannot_recognise():
    error = refusal("资料.pdf", bytes(range(256)) * 40)
    assert error.code == "unknown_type"
    assert "无法识别" in error.messages[0]


def test_check_upload_refuses_an_office_file_with_an_embedded_program():
    data = samples.office("docx", parts={"word/embeddings/setup.exe": samples.EXE})
    assert "可执行程序" in refusal("资料.docx", data).messages[0]


# --- the extension must agree with the content ------------------------------------------------


@pytest.mark.parametrize(
    "name, make, expected",
    [
        ("讲话.pdf", samples.docx, ".docx"),
        ("资料.docx", lambda: samples.PDF, ".pdf"),
        ("照片.jpg", lambda: samples.image("PNG"), ".png"),
        ("说明.pdf", lambda: samples.TEXT, ".txt"),
        ("资料", lambda: samples.PDF, ".pdf"),
        ("资料.pdf.exe", lambda: samples.PDF, ".pdf"),
    ],
)
def test_check_upload_refuses_a_name_whose_extension_disagrees_with_the_content(name, make, expected):
    error = refusal(name, make())
    assert error.code == "extension_mismatch"
    assert expected in error.messages[0]
    assert "扩展名" in error.messages[0]


# --- size ---------------------------------------------------------------------------------------


def test_check_upload_refuses_a_file_over_the_fields_cap(settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    error = refusal("照片.pdf", samples.PDF + b"0" * (1024 * 1024), policy="evidence")
    assert error.code == "too_large"
    assert "1 MB" in error.messages[0]
    assert "不能超过" in error.messages[0]


def test_check_upload_caps_each_field_by_its_own_setting(settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    big = samples.PDF + b"0" * (1024 * 1024)
    assert uploads.check_upload(samples.upload("大.pdf", big), "material").size == len(big)


def test_check_upload_refuses_an_empty_file():
    assert refusal("空.pdf", b"").code == "empty"


# --- zip limits and XML -------------------------------------------------------------------------


def test_check_upload_refuses_a_zip_bomb_from_its_directory_without_unpacking():
    bomb = samples.zip_bomb(210)
    assert len(bomb) < 1024 * 1024  # tiny compressed, 210 MB unpacked
    error = refusal("炸弹.docx", bomb)
    assert error.code == "unpacked_too_large"
    assert "200 MB" in error.messages[0]


def test_check_upload_refuses_an_archive_with_too_many_entries(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 50
    parts = {f"word/media/image{n}.png": b"x" for n in range(60)}
    error = refusal("资料.docx", samples.office("docx", parts=parts))
    assert error.code == "too_many_parts"
    assert "50" in error.messages[0]


def test_check_upload_accepts_an_office_file_within_the_limits(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 50
    parts = {f"word/media/image{n}.png": b"x" for n in range(40)}
    assert uploads.check_upload(samples.upload("资料.docx", samples.office("docx", parts=parts)), "material")


def test_check_upload_refuses_an_entity_bomb_in_content_types():
    types = samples.content_types("docx", doctype=samples.BILLION_LAUGHS)
    error = refusal("资料.docx", samples.office("docx", types=types))
    assert error.code == "unsafe_xml"
    assert "DTD" in error.messages[0]


def test_check_upload_refuses_an_external_entity_in_a_part():
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    error = refusal("资料.docx", samples.office("docx", parts={"word/document.xml": xxe}))
    assert error.code == "unsafe_xml"


def test_check_upload_refuses_an_office_file_without_its_main_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", samples.content_types("docx"))
        archive.writestr("_rels/.rels", samples.RELS)
    error = refusal("资料.docx", buffer.getvalue())
    assert error.code == "damaged"
    assert "损坏" in error.messages[0]


def test_check_upload_refuses_a_part_that_unpacks_to_more_than_it_claims():
    data = bytearray(samples.office("docx", parts={"word/document.xml": b"<r>" + b"a" * 5000 + b"</r>"}))
    # Make the central directory claim the part is 10 bytes unpacked.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/document.xml"))
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    assert info.file_size == 5007
    error = refusal("资料.docx", bytes(data))
    assert error.code == "damaged"


def test_check_upload_refuses_a_damaged_zip():
    assert refusal("资料.docx", samples.docx()[:300]).code == "damaged"


def test_check_upload_refuses_an_image_that_is_only_a_header():
    assert refusal("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50).code == "damaged"


# --- names ------------------------------------------------------------------------------------


def test_clean_original_name_drops_folders_control_and_direction_characters():
    assert uploads.clean_original_name("C:\\Users\\张三\\学习资料.pdf") == "学习资料.pdf"
    assert uploads.clean_original_name("../../etc/passwd") == "passwd"
    assert uploads.clean_original_name("资料\u202egpj.exe") == "资料gpj.exe"
    assert uploads.clean_original_name("a\r\nb.pdf") == "ab.pdf"
    assert len(uploads.clean_original_name("长" * 300 + ".pdf")) == 255


def test_random_upload_path_says_nothing_about_the_file():
    path = uploads.random_upload_path("materials", "县委书记讲话.PDF")
    assert path.startswith("materials/")
    assert path.endswith(".pdf")
    assert "讲话" not in path
    assert len(path.rsplit("/", 1)[1]) == 32 + 4


# --- the form field and the request ceiling ---------------------------------------------------


def test_upload_field_tells_the_browser_the_types_and_the_size(settings):
    settings.MATERIAL_MAX_UPLOAD_MB = 20
    field = uploads.UploadField(upload="material", required=False)
    rendered = field.widget.render("file", None, attrs=field.widget_attrs(field.widget))
    assert 'accept=".pdf,.docx,.doc' in rendered
    assert f'data-max-bytes="{20 * 1024 * 1024}"' in rendered
    assert "允许的类型" in str(field.help_text)
    assert "20 MB" in str(field.help_text)


@pytest.mark.django_db
def test_a_request_body_over_the_ceiling_is_refused_before_it_is_read(client, settings, world):
    settings.UPLOAD_REQUEST_MAX_MB = 1
    client.force_login(world.staff)
    response = client.generic(
        "POST", reverse("plans:plan-import"), b"x" * 10, content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "文件太大" in response.content.decode()
