import factory
from django.utils import timezone

from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Creates a root unless ``parent`` is given; treebeard places the node."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"中共测试{n}委员会")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    kind = Organization.Kind.PARTY_COMMITTEE
    level = Organization.Level.COUNTY

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        return model_class.objects.add_child(parent, kwargs)


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.LazyAttribute(lambda o: f"{o.organization.name}理论学习中心组")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"成员{n}")
    position = "党组成员"
    password = factory.PostGenerationMethodCall("set_password", "Test@2026pass")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(StudyGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    started_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationAssignment

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = OrganizationAssignment.Role.STAFF
    started_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))


# Members' own work ---------------------------------------------------------------------------
# Meetings and attendance are the meetings app's models, named by label so this module does not
# import the app.

from datetime import timedelta  # noqa: E402


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
        model = "members.MemberWork"

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
    from members import work_services
    from members.models import MemberWork

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
