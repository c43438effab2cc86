"""The one scoped download view (studygroup.downloads) for every stored file: in scope 200 with
the original name, attachment, nosniff and a sandboxing CSP, recorded in the audit trail; out of
scope 404; anonymous to the login page; no public /media/ address."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

from members.work.tests.factories import work_for_permissions
from sessions import services as meeting_services
from sessions.tests.factories import MeetingFactory
from studygroup import downloads
from studygroup.audit.models import AuditEntry
from studygroup.tests import upload_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(world):
    meeting = MeetingFactory(group=world.groups.bureau)
    upload = samples.upload("县委书记讲话（学习资料）.pdf", samples.PDF, "application/pdf")
    return meeting_services.material_add(by=world.staff, meeting=meeting, title="", upload=upload)


@pytest.fixture
def attached_work(world):
    return work_for_permissions(world, "attached")


@pytest.fixture
def evidence(world):
    from reports.tests.permission_objects import objects

    return objects(world).evidence


def _files(world, material, attached_work, evidence):
    """(url, who may download, who may not) for each registered file field with a URL."""
    return {
        "material": (material.get_absolute_url(), [world.member, world.staff, world.leader],
                     [world.sibling_staff, world.township_member, world.sibling_member]),
        "work attachment": (reverse("work:work-attachment", args=[attached_work.pk]),
                            [world.member, world.staff, world.leader],
                            [world.sibling_staff, world.township_member, world.other_member]),
        "evidence": (evidence.get_absolute_url(), [world.staff, world.leader],
                     [world.sibling_staff, world.township_member, world.member]),
    }


def test_every_file_field_of_the_project_is_registered_for_download():
    assert downloads.unregistered_file_fields() == []


def test_no_public_media_url_is_routed(client, world, material):
    client.force_login(world.staff)
    assert client.get(f"{settings.MEDIA_URL}{material.file.name}").status_code == 404


@pytest.mark.parametrize("which", ["material", "work attachment", "evidence"])
def test_download_in_scope_answers_with_the_file_and_safe_headers(which, client, world, material, attached_work, evidence):
    url, allowed, _denied = _files(world, material, attached_work, evidence)[which]
    for person in allowed:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person.username
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "private" in response["Cache-Control"]
        assert response.content


@pytest.mark.parametrize("which", ["material", "work attachment", "evidence"])
def test_download_out_of_scope_is_not_found(which, client, world, material, attached_work, evidence):
    url, _allowed, denied = _files(world, material, attached_work, evidence)[which]
    for person in denied:
        client.force_login(person)
        assert client.get(url).status_code == 404, person.username


@pytest.mark.parametrize("which", ["material", "work attachment", "evidence"])
def test_download_by_anonymous_redirects_to_login(which, client, world, material, attached_work, evidence):
    url, _allowed, _denied = _files(world, material, attached_work, evidence)[which]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_download_carries_the_original_chinese_name(client, world, material):
    client.force_login(world.member)
    response = client.get(material.get_absolute_url())
    disposition = response["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('县委书记讲话（学习资料）.pdf', safe='')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response.content == samples.PDF


def test_download_of_an_image_is_shown_inline_in_a_sandbox(client, world):
    meeting = MeetingFactory(group=world.groups.bureau)
    photo = meeting_services.material_add(
        by=world.staff, meeting=meeting, title="现场照片", upload=samples.upload("现场.png", samples.image("PNG"))
    )
    client.force_login(world.member)
    response = client.get(photo.get_absolute_url())
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_download_is_recorded_in_the_audit_trail(client, world, material):
    client.force_login(world.member)
    client.get(material.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD)
    assert entry.actor == world.member
    assert entry.organization == world.bureau
    assert entry.object_type == "meetings.material"
    assert entry.object_id == str(material.pk)
    assert entry.detail == "县委书记讲话（学习资料）.pdf"
    assert entry.ip == "10.1.2.3"


def test_download_refused_is_not_recorded(client, world, material):
    client.force_login(world.sibling_staff)
    client.get(material.get_absolute_url())
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).exists()


def test_withdrawn_material_is_downloaded_by_staff_only(client, world, material):
    meeting_services.material_withdraw(by=world.staff, material=material)
    client.force_login(world.member)
    assert client.get(material.get_absolute_url()).status_code == 404
    client.force_login(world.staff)
    assert client.get(material.get_absolute_url()).status_code == 200


def test_a_draft_attachment_is_its_authors_alone(client, world):
    from members.work import services as work_services

    draft = work_services.work_create(
        by=world.member, kind="research", group=world.groups.bureau, title="调研报告草稿",
        body="正文", attachment=samples.upload("调研报告.docx", samples.docx()),
    )
    url = reverse("work:work-attachment", args=[draft.pk])
    client.force_login(world.member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    client.force_login(world.staff)
    assert client.get(url).status_code == 404


def test_a_file_stored_before_the_check_is_served_as_bytes_to_download(client, world, evidence):
    """Evidence uploaded before this check could be anything (an .html): it leaves as
    octet-stream, as an attachment, in a sandbox."""
    from django.core.files.base import ContentFile

    evidence.file.save("old.html", ContentFile(samples.HTML), save=True)
    client.force_login(world.staff)
    response = client.get(evidence.get_absolute_url())
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_production_hands_the_body_to_nginx(client, world, material, settings):
    """With the nginx backend the app sends no body, only X-Accel-Redirect to the internal
    location; the headers stay the app's."""
    from django_sendfile.utils import _get_sendfile

    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    _get_sendfile.cache_clear()
    try:
        client.force_login(world.member)
        response = client.get(material.get_absolute_url())
    finally:
        _get_sendfile.cache_clear()
    assert response["X-Accel-Redirect"] == f"/protected-media/{material.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_built_report_pdf_leaves_through_the_download_path(client, world):
    from reports.tests.permission_objects import objects

    issued = objects(world).issued
    client.force_login(world.staff)
    response = client.post(reverse("reports:bulletin-pdf", args=[issued.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"].startswith("attachment;")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD)
    assert entry.object_type == "reports.bulletin"
    assert entry.organization == world.county
    assert entry.detail.endswith(".pdf")
    client.force_login(world.sibling_staff)
    assert client.get(reverse("reports:bulletin-pdf", args=[issued.pk])).status_code == 404


def test_stored_names_are_random_and_original_names_kept(world, material, attached_work, evidence):
    assert material.file.name.startswith("materials/")
    assert "讲话" not in material.file.name
    assert attached_work.attachment.name.startswith("work/")
    assert "心得" not in attached_work.attachment.name
    assert attached_work.attachment_original_name == "心得附件.pdf"
    assert evidence.file.name.startswith("rectification/")
    assert "整改" not in evidence.file.name
    assert evidence.original_name == "整改材料.txt"


def test_the_edit_form_links_the_attachment_through_the_download_view(client, world):
    from members.work import services as work_services

    draft = work_services.work_create(
        by=world.member, kind="research", group=world.groups.bureau, title="调研报告草稿",
        body="正文", attachment=samples.upload("调研报告.docx", samples.docx()),
    )
    client.force_login(world.member)
    body = client.get(reverse("work:work-update", args=[draft.pk])).content.decode()
    assert reverse("work:work-attachment", args=[draft.pk]) in body
    assert "调研报告.docx" in body
    assert settings.MEDIA_URL not in body
