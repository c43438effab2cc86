import pytest
from django.core.management import call_command

from members import scoping
from members.models import Membership, Organization, StudyGroup, User

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Organization.objects.count(), StudyGroup.objects.count(), User.objects.count(),
        Membership.objects.count(), User.history.count(), Membership.history.count(),
    )


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "Demo@2026study" in capsys.readouterr().out


def test_seed_demo_builds_a_believable_county(demo):
    county_groups = StudyGroup.objects.filter(organization__path__startswith=demo["county"].path)
    assert county_groups.count() >= 8
    sizes = [g.memberships.current().count() for g in county_groups]
    assert all(10 <= size <= 20 for size in sizes), sizes
    assert set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True)) == {
        "demo-staff", "demo-member", "demo-leader", "demo-other-staff", "demo-admin"
    }


def test_demo_accounts_have_the_roles_later_work_relies_on(demo):
    staff = User.objects.get(username="demo-staff")
    other = User.objects.get(username="demo-other-staff")
    leader = User.objects.get(username="demo-leader")
    member = User.objects.get(username="demo-member")
    county_tree = StudyGroup.objects.filter(organization__path__startswith=demo["county"].path)
    assert set(scoping.managed_groups(staff)) == set(county_tree)
    assert not scoping.visible_groups(other).filter(pk__in=county_tree).exists()
    assert set(scoping.visible_groups(leader)) >= set(county_tree)
    assert not scoping.managed_groups(leader).exists()
    assert list(scoping.visible_groups(member)) == [demo["county_group"]]
