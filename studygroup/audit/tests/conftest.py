from types import SimpleNamespace

import pytest

from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, UserFactory

PASSWORD = "Test@2026pass"
Role = OrganizationAssignment.Role


def _admin(username, name, organization, role):
    person = UserFactory(username=username, name=name, organization=organization)
    AssignmentFactory(user=person, organization=organization, role=role)
    return person


@pytest.fixture
def admins(world):
    """The three administrator roles, at the county and at the root (the city), and a superuser."""
    from members.models import User

    return SimpleNamespace(
        county_auditor=_admin("county_auditor", "县审计管理员", world.county, Role.AUDITOR),
        root_auditor=_admin("root_auditor", "市审计管理员", world.city, Role.AUDITOR),
        sysadmin=_admin("sysadmin", "系统管理员甲", world.city, Role.SYSTEM_ADMIN),
        secadmin=_admin("secadmin", "县安全管理员", world.county, Role.SECURITY_ADMIN),
        root_secadmin=_admin("root_secadmin", "市安全管理员", world.city, Role.SECURITY_ADMIN),
        superuser=User.objects.create_superuser("root", password=PASSWORD, name="超级管理员"),
    )
