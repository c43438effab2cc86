import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from members import services
from members.models import Membership, User
from members.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_membership_start_seats_a_person_of_the_managed_tree(world):
    newcomer = UserFactory(organization=world.bureau)
    membership = services.membership_start(
        by=world.staff, group=world.groups.bureau, person=newcomer, role=Membership.Role.MEMBER
    )
    assert membership.is_current
    assert membership.history.latest().history_user == world.staff


def test_membership_start_refuses_a_second_open_seat(world):
    with pytest.raises(ValidationError) as error:
        services.membership_start(
            by=world.staff, group=world.groups.bureau, person=world.member, role=Membership.Role.MEMBER
        )
    assert "user" in error.value.message_dict


def test_membership_start_refuses_people_from_outside_the_managed_tree(world):
    with pytest.raises(ValidationError):
        services.membership_start(
            by=world.staff, group=world.groups.bureau, person=world.sibling_member,
            role=Membership.Role.MEMBER,
        )


def test_membership_start_needs_management_of_the_group(world):
    with pytest.raises(PermissionDenied):
        services.membership_start(
            by=world.sibling_staff, group=world.groups.bureau, person=world.sibling_member,
            role=Membership.Role.MEMBER,
        )


def test_membership_end_keeps_the_row(world):
    membership = world.member.memberships.get()
    services.membership_end(by=world.staff, membership=membership)
    membership.refresh_from_db()
    assert membership.ended_on is not None
    assert not membership.is_current
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_end_twice_is_refused(world):
    membership = world.member.memberships.get()
    services.membership_end(by=world.staff, membership=membership)
    with pytest.raises(ValidationError):
        services.membership_end(by=world.staff, membership=membership)


def test_membership_cannot_end_before_it_starts(world):
    membership = world.member.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_end(
            by=world.staff, membership=membership,
            ended_on=membership.started_on - datetime.timedelta(days=1),
        )


def test_past_member_can_be_seated_again(world):
    membership = world.member.memberships.get()
    services.membership_end(by=world.staff, membership=membership)
    again = services.membership_start(
        by=world.staff, group=world.groups.bureau, person=world.member, role=Membership.Role.DEPUTY
    )
    assert world.member.memberships.count() == 2
    assert again.is_current


def test_database_refuses_two_open_memberships(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=world.groups.bureau, user=world.member)


def test_person_create_validates_and_records_who(world):
    person = services.person_create(
        by=world.staff, username="xinren", name="新任局长", password="Xinren@2026",
        organization=world.bureau,
    )
    assert person.check_password("Xinren@2026")
    assert person.history.latest().history_user == world.staff


def test_person_create_outside_the_managed_tree_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.person_create(
            by=world.staff, username="xinren", name="新任", password="Xinren@2026",
            organization=world.sibling,
        )
    assert not User.objects.filter(username="xinren").exists()


def test_person_create_refuses_a_taken_username(world):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            by=world.staff, username="member", name="重名", password="Xinren@2026",
            organization=world.bureau,
        )
    assert "username" in error.value.message_dict


def test_membership_factory_builds_a_current_membership():
    assert MembershipFactory().is_current
