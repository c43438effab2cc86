import factory
from django.contrib.auth.hashers import make_password
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


TEST_PASSWORD = "Test@2026pass"


class UserFactory(factory.django.DjangoModelFactory):
    """A person whose password is ``TEST_PASSWORD`` (or the raw ``password`` given), saved once:
    a second save for the password cost every test a history row and an audit entry."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"成员{n}")
    position = "党组成员"
    password = TEST_PASSWORD
    password_changed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, password=TEST_PASSWORD, **kwargs):
        return super()._create(model_class, *args, password=make_password(password), **kwargs)


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


def roster_workbook(**sheets) -> bytes:
    """An .xlsx with one sheet per keyword: a list of rows (the first holds the headers)."""
    import io

    from openpyxl import load_workbook

    from studygroup.documents import new_workbook, workbook_bytes

    book, first = new_workbook("花名册", [])
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    data = workbook_bytes(book, fit=False)
    load_workbook(io.BytesIO(data))  # readable, as a staffer's file would be
    return data
