"""Factories of members' own work (and the held meetings it follows)."""

from datetime import timedelta

import factory
from django.utils import timezone

from members.tests.factories import StudyGroupFactory, UserFactory

# Members' own work ---------------------------------------------------------------------------
# Meetings and attendance are the meetings app's models, named by label so this module does not
# import the app.



class WorkMeetingFactory(factory.django.DjangoModelFactory):
    """A held meeting of a group, ten days ago unless told otherwise."""

    class Meta:
        model = "meetings.Meeting"

    group = factory.SubFactory(StudyGroupFactory)
    title = factory.Sequence(lambda n: f"第{n}次集中学习")
    kind = "group_study"
    status = "held"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))


class WorkAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Attendance"

    meeting = factory.SubFactory(WorkMeetingFactory)
    user = factory.SubFactory(UserFactory)
    status = "present"


# The smallest file the upload check accepts as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

REFLECTION_TEXT = (
    "通过这次集中学习，我对习近平新时代中国特色社会主义思想的理解更加深入。\n"
    "结合教育工作实际，我体会到必须把立德树人作为根本任务，推动学校思政课建设。\n"
    "下一步，我将坚持学以致用，在推进县域义务教育优质均衡发展上下功夫。"
)


class MemberWorkFactory(factory.django.DjangoModelFactory):
    """A draft reflection; write through the services to move it on."""

    class Meta:
        model = "work.MemberWork"

    kind = "reflection"
    group = factory.SubFactory(StudyGroupFactory)
    author = factory.SubFactory(UserFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.Sequence(lambda n: f"学习心得{n}")
    body = REFLECTION_TEXT
    word_count = 120
    occurred_on = factory.LazyFunction(timezone.localdate)
    status = "draft"


def work_for_permissions(world, which: str):
    """Objects of the bureau group for the permission walk (created once per test):
    ``submitted`` reflection and ``draft`` reflection by ``world.member``, a ``research`` draft,
    an ``attached`` submitted reflection with a PDF attached."""
    from members.work import services as work_services
    from members.work.models import MemberWork

    cache = world.__dict__.setdefault("_work", {})
    if which in cache:
        return cache[which]
    if "meeting" not in cache:
        cache["meeting"] = WorkMeetingFactory(group=world.groups.bureau)
        WorkAttendanceFactory(meeting=cache["meeting"], user=world.member)
    meeting = cache["meeting"]
    if which == "meeting":
        return meeting
    kind = "research" if which == "research" else "reflection"
    extra = {}
    if which == "attached":
        from django.core.files.uploadedfile import SimpleUploadedFile

        extra["attachment"] = SimpleUploadedFile("心得附件.pdf", PDF_BYTES, content_type="application/pdf")
    work = work_services.work_create(
        by=world.member, kind=kind, group=world.groups.bureau, title=f"权限测试{which}",
        body=REFLECTION_TEXT, meeting=meeting if kind == "reflection" else None, **extra,
    )
    if which in ("submitted", "attached"):
        work = work_services.work_submit(work=work, by=world.member)
    cache[which] = MemberWork.objects.get(pk=work.pk)
    return cache[which]
