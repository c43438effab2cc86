import pytest

from members import scoping
from members.models import Organization, StudyGroup, User
from members.notifications import daily_reading
from members.notifications.models import (
    DailyReading,
    GroupChannel,
    Notification,
    RobotHost,
)

pytestmark = pytest.mark.django_db


def check_demo_notifications():
    """The daily reading, the approver, the robot and non-empty inboxes, from the full seed."""
    approver = User.objects.get(username="demo-approver")
    robot = GroupChannel.objects.get()
    assert robot.is_active
    assert robot.secret.startswith("SEC")
    assert "127.0.0.1" in robot.webhook_url
    # The robot sink on this machine is a loopback address: on the robot host list, so it works.
    from members.notifications.robot_hosts import webhook_problem

    assert "127.0.0.1" in set(RobotHost.objects.values_list("host", flat=True))
    assert webhook_problem(robot.webhook_url, robot.provider) is None
    waiting = DailyReading.objects.get(sent_at__isnull=True)
    assert waiting.group == robot.group
    assert waiting.items.approved().count() == 0
    assert approver.has_perm("notifications.approve_reading", waiting)
    assert not User.objects.get(username="demo-staff").has_perm("notifications.approve_reading", waiting)
    rate = daily_reading.reading_rate(robot.group)
    assert 0.4 < rate["rate"] < 0.8, rate
    for username in ("demo-staff", "demo-member", "demo-leader"):
        assert Notification.objects.filter(recipient__username=username).exists(), username
    assert not Notification.objects.filter(recipient__username="demo-other-staff", group__organization__path__startswith=robot.group.organization.path).exists()


def test_seed_demo_builds_a_believable_county(demo):
    county_groups = StudyGroup.objects.filter(organization__path__startswith=demo["county"].path)
    assert county_groups.count() >= 8
    sizes = [g.memberships.current().count() for g in county_groups]
    assert all(10 <= size <= 20 for size in sizes), sizes
    assert set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True)) == {
        "demo-staff", "demo-member", "demo-leader", "demo-other-staff", "demo-admin",
        "demo-sysadmin", "demo-secadmin", "demo-auditor",
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


def test_demo_administrators_act_on_the_whole_province_and_are_not_superusers(demo):
    province = Organization.objects.get(name="中共江北省委员会")
    for username, role in [
        ("demo-sysadmin", scoping.SYSTEM_ADMIN), ("demo-secadmin", scoping.SECURITY_ADMIN), ("demo-auditor", scoping.AUDITOR),
    ]:
        person = User.objects.get(username=username)
        assert not person.is_superuser
        assert not person.is_staff, username
        assert list(scoping.administered_organizations(person, role).filter(depth=1)) == [province], username
        assert person.check_password("Demo@2026study")
