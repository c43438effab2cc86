"""Objects of the reports app in the ``world`` of the permission walk, created on first use."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reports import services
from reports.models import DocumentBuild, Period
from sessions.models import Meeting, Observation, ObservationPoint


def objects(world):
    if hasattr(world, "_reports"):
        return world._reports
    from types import SimpleNamespace

    bureau = world.groups.bureau
    submitted = services.review_create(group=bureau, year=2025, period=Period.FIRST_HALF, by=world.staff)
    submitted = services.review_submit(review=submitted, by=world.staff)
    draft = services.review_create(group=bureau, year=2025, period=Period.SECOND_HALF, by=world.staff)
    issued = services.bulletin_create(organization=world.county, year=2025, period=Period.FIRST_HALF, by=world.staff)
    issued = services.bulletin_issue(bulletin=issued, by=world.staff)
    draft_bulletin = services.bulletin_create(organization=world.county, year=2025, period=Period.SECOND_HALF, by=world.staff)
    inspection = services.inspection_create(
        organization=world.county, group=bureau, held_on=date(2025, 4, 1), inspectors="督导组", scope="", findings="", by=world.staff
    )
    item = services.item_create(inspection=inspection, finding="记录不全", measures="补齐", deadline=date(2099, 1, 1), owner=None, by=world.staff)
    evidence = services.evidence_add(item=item, upload=SimpleUploadedFile("整改材料.txt", "材料".encode()), by=world.staff)
    start = timezone.now() - timedelta(days=10)
    meeting = Meeting.objects.create(group=bureau, title="集中学习", starts_at=start, ends_at=start + timedelta(hours=2), status="held")
    observation = Observation.objects.create(meeting=meeting, organization=world.county, observers="宣传部", recorded_by=world.staff)
    point = ObservationPoint.objects.create(observation=observation, text="研讨不深")
    account = services.account_create(group=bureau, year=2025, by=world.member)
    account = services.account_update(account=account, by=world.member, title=account.title, text="述学正文")
    account = services.account_submit(account=account, by=world.member)
    draft_account = services.account_create(group=bureau, year=2024, by=world.member)
    build = DocumentBuild.objects.create(kind="review", object_id=submitted.pk, version=submitted.version, status="failed", error="x")
    world._reports = SimpleNamespace(
        submitted=submitted, draft=draft, issued=issued, draft_bulletin=draft_bulletin, inspection=inspection,
        item=item, evidence=evidence, point=point, account=account, draft_account=draft_account, build=build,
    )
    return world._reports
