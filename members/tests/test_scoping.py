import datetime

import pytest
from django.utils import timezone

from members import scoping
from members.models import Membership, Organization, StudyGroup, User
from studygroup import permissions

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_staff_manage_their_organization_and_everything_below(world):
    managed = scoping.managed_organizations(world.staff)
    assert set(managed) == {world.county, world.bureau, world.township}
    assert set(scoping.managed_groups(world.staff)) == {
        world.groups.county, world.groups.bureau, world.groups.township
    }


def test_staff_do_not_see_parent_or_sibling_organizations(world):
    visible = scoping.visible_organizations(world.staff)
    assert world.city not in visible
    assert world.sibling not in visible
    assert world.sibling_bureau not in visible
    assert not scoping.visible_groups(world.staff).filter(pk=world.groups.sibling_bureau.pk).exists()


def test_leader_reads_the_subtree_but_manages_nothing(world):
    assert set(scoping.visible_organizations(world.leader)) == set(Organization.objects.all())
    assert set(scoping.visible_groups(world.leader)) == set(StudyGroup.objects.all())
    assert not scoping.managed_organizations(world.leader).exists()
    assert not scoping.managed_groups(world.leader).exists()


def test_member_sees_only_their_own_groups(world):
    assert set(scoping.visible_groups(world.member)) == {world.groups.bureau}
    assert set(scoping.visible_organizations(world.member)) == {world.bureau}
    assert not scoping.managed_groups(world.member).exists()


def test_member_sees_fellow_members_but_not_other_groups_people(world):
    people = User.objects.filter(pk__in=scoping.visible_people(world.member))
    assert set(people) == {world.member, world.other_member}


def test_ended_membership_no_longer_opens_the_group(world):
    Membership.objects.filter(user=world.member).update(ended_on=timezone.localdate())
    assert not scoping.visible_groups(world.member).exists()


def test_membership_ending_in_the_future_still_counts(world):
    Membership.objects.filter(user=world.member).update(
        ended_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    assert scoping.visible_groups(world.member).filter(pk=world.groups.bureau.pk).exists()


def test_ended_assignment_removes_management(world):
    world.staff.assignments.update(ended_on=timezone.localdate())
    assert not scoping.managed_groups(world.staff).exists()
    assert not scoping.visible_organizations(world.staff).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not scoping.visible_groups(anonymous).exists()
    assert not scoping.visible_organizations(anonymous).exists()
    assert not User.objects.filter(pk__in=scoping.visible_people(anonymous)).exists()


def test_superuser_sees_and_manages_everything(world):
    admin = User.objects.create_superuser("root", password="Root@2026pw", name="管理员")
    assert scoping.managed_groups(admin).count() == StudyGroup.objects.count()


def test_querysets_visible_to_and_editable_by_go_through_scoping(world):
    assert set(StudyGroup.objects.visible_to(world.sibling_staff)) == {
        world.groups.sibling, world.groups.sibling_bureau
    }
    assert not StudyGroup.objects.editable_by(world.leader).exists()
    assert set(Membership.objects.editable_by(world.staff).values_list("user__username", flat=True)) == {
        "member", "other_member", "township_member"
    }
    assert world.sibling in Organization.objects.editable_by(world.sibling_staff)


def test_scoping_is_one_query_at_any_depth(world, django_assert_num_queries):
    deep = world.township
    for level in range(6):
        deep = Organization.objects.add_child(
            deep, {"name": f"第{level}层", "kind": "party_committee", "level": "township"}
        )
        StudyGroup.objects.create(organization=deep, name=f"第{level}层中心组")
    # The staff's assignments and seats (read once), then the groups: the same at any depth.
    with django_assert_num_queries(3):
        assert len(list(scoping.managed_groups(world.staff))) == 9


def test_within_a_request_the_users_assignments_are_read_once(world, django_assert_num_queries):
    token = permissions._memo.set({})
    try:
        list(scoping.visible_groups(world.staff))
        # The groups; then the ids of the visible groups (remembered too) and the person.
        with django_assert_num_queries(3):
            assert len(list(scoping.managed_groups(world.staff))) == 3
            assert scoping.visible_people(world.staff).filter(pk=world.member.pk).exists()
        with django_assert_num_queries(1):
            assert scoping.visible_people(world.staff).filter(pk=world.other_member.pk).exists()
    finally:
        permissions._memo.reset(token)


def test_deactivated_user_sees_nothing(world):
    world.staff.is_active = False
    assert not scoping.managed_groups(world.staff).exists()


def test_a_change_of_seats_is_seen_in_the_rest_of_the_request(world):
    from members.services import membership_end

    token = permissions._memo.set({})
    try:
        assert scoping.visible_groups(world.member).filter(pk=world.groups.bureau.pk).exists()
        membership_end(by=world.staff, membership=Membership.objects.get(user=world.member, group=world.groups.bureau))
        assert not scoping.visible_groups(world.member).filter(pk=world.groups.bureau.pk).exists()
    finally:
        permissions._memo.reset(token)


def test_two_users_in_one_request_keep_their_own_scope(world):
    token = permissions._memo.set({})
    try:
        staff_groups = set(scoping.visible_groups(world.staff))
        sibling_groups = set(scoping.visible_groups(world.sibling_staff))
        assert staff_groups == {world.groups.county, world.groups.bureau, world.groups.township}
        assert sibling_groups == {world.groups.sibling, world.groups.sibling_bureau}
    finally:
        permissions._memo.reset(token)


def test_people_and_work_are_the_same_whether_groups_are_few_or_many(world, monkeypatch):
    """The scoping names a few groups by id and many by subquery: both give the same people and
    the same work (a province's staff take the second path)."""
    from members.work.models import MemberWork
    from members.work.tests.factories import MemberWorkFactory

    MemberWorkFactory(title="局长心得", group=world.groups.bureau, author=world.member, status="submitted",
                      first_submitted_at=timezone.now())
    MemberWorkFactory(title="白水心得", group=world.groups.sibling_bureau, author=world.sibling_member,
                      status="submitted", first_submitted_at=timezone.now())
    MemberWorkFactory(title="副局长草稿", group=world.groups.bureau, author=world.other_member)

    def seen():
        return {
            user.username: (
                set(User.objects.visible_to(user).values_list("username", flat=True)),
                set(MemberWork.objects.visible_to(user).values_list("title", flat=True)),
            )
            for user in (world.staff, world.leader, world.member, world.other_member, world.sibling_staff)
        }

    few = seen()
    monkeypatch.setattr(scoping, "FEW_GROUPS", 0)
    assert seen() == few
    assert "sibling_member" in few["leader"][0]
    assert "sibling_member" not in few["staff"][0]
    assert few["staff"][1] == {"局长心得"}
    assert few["other_member"][1] == {"副局长草稿"}  # drafts stay their own
    assert few["leader"][1] == {"局长心得", "白水心得"}
