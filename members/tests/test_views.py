import pytest
from django.urls import reverse

from members.models import Membership, OrganizationAssignment
from members.tests.factories import MembershipFactory, StudyGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_group_list_shows_only_what_the_user_may_see(client, world):
    client.force_login(world.sibling_staff)
    body = client.get(reverse("members:group-list")).content.decode()
    assert world.groups.sibling_bureau.name in body
    assert world.groups.bureau.name not in body


def test_group_list_filters_by_text_and_level(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("members:group-list"), {"q": "教育局"})
    assert [g.pk for g in response.context["object_list"]] == [world.groups.bureau.pk]
    response = client.get(reverse("members:group-list"), {"level": "township"})
    assert [g.pk for g in response.context["object_list"]] == [world.groups.township.pk]


def test_group_list_queries_do_not_grow_with_groups(client, world, django_assert_num_queries):
    client.force_login(world.staff)
    url = reverse("members:group-list")
    client.get(url)  # warm up: session, content types

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count_queries()
    for _ in range(8):
        org = world.county.__class__.objects.add_child(world.county, {"name": "新单位", "kind": "party_group", "level": "department"})
        group = StudyGroupFactory(organization=org)
        MembershipFactory.create_batch(3, group=group)
    assert count_queries() == before


def test_person_list_queries_do_not_grow_with_people(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)
    url = reverse("members:person-list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(10):
        person = UserFactory(organization=world.township)
        MembershipFactory(user=person, group=world.groups.township)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.context["paginator"].count == 14


def test_organization_list_queries_do_not_grow_with_organizations(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)
    url = reverse("members:organization-list")
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        org = world.county.__class__.objects.add_child(world.county, {"name": "新单位", "kind": "party_group", "level": "department"})
        MembershipFactory.create_batch(2, group=StudyGroupFactory(organization=org))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert len(response.context["object_list"]) == 11


def test_person_list_filters_by_group_and_role(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("members:person-list"), {"group": world.groups.bureau.pk, "role": "leader"})
    assert list(response.context["object_list"]) == [world.member]


def test_group_detail_shows_current_members_and_optionally_past_ones(client, world):
    membership = world.other_member.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    client.force_login(world.staff)
    url = reverse("members:group-detail", kwargs={"pk": world.groups.bureau.pk})
    assert world.other_member.name not in client.get(url).content.decode()
    assert world.other_member.name in client.get(url, {"past": "1"}).content.decode()


def test_staff_add_a_member_to_a_group(client, world):
    newcomer = UserFactory(organization=world.bureau, name="新成员")
    client.force_login(world.staff)
    url = reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk})
    response = client.post(url, {"user": newcomer.pk, "role": "member", "started_on": "2026-03-01"})
    assert response.status_code == 302
    assert newcomer.memberships.get().group == world.groups.bureau


def test_add_member_offers_only_managed_people_not_yet_seated(client, world):
    client.force_login(world.staff)
    url = reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk})
    offered = set(client.get(url).context["form"].fields["user"].queryset)
    assert world.member not in offered  # already seated
    assert world.township_member in offered
    assert world.sibling_member not in offered


def test_add_member_with_bad_input_keeps_what_was_typed(client, world):
    client.force_login(world.staff)
    url = reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk})
    response = client.post(url, {"user": world.sibling_member.pk, "role": "deputy", "started_on": "2026-13-40"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "user" in form.errors
    assert "started_on" in form.errors
    assert form["role"].value() == "deputy"


def test_end_membership_from_the_web(client, world):
    membership = world.other_member.memberships.get()
    client.force_login(world.staff)
    response = client.post(
        reverse("members:membership-end", kwargs={"pk": membership.pk}), {"ended_on": "2026-06-30"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert str(membership.ended_on) == "2026-06-30"


def test_end_membership_before_start_is_refused_in_place(client, world):
    membership = world.other_member.memberships.get()
    client.force_login(world.staff)
    response = client.post(
        reverse("members:membership-end", kwargs={"pk": membership.pk}), {"ended_on": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "ended_on" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.ended_on is None


def test_staff_add_a_person(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("members:person-create"), {
        "username": "chenjun", "name": "陈军", "organization": world.township.pk,
        "position": "镇长", "phone": "", "email": "", "password1": "Qingshan@2026", "password2": "Qingshan@2026",
    })
    assert response.status_code == 302
    person = world.township.people.get(username="chenjun")
    assert person.check_password("Qingshan@2026")


def test_add_person_with_a_weak_password_keeps_the_other_fields(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("members:person-create"), {
        "username": "chenjun", "name": "陈军", "organization": world.township.pk,
        "position": "镇长", "password1": "chenjun", "password2": "chenjun",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "password2" in form.errors
    assert form["name"].value() == "陈军"
    assert form["position"].value() == "镇长"


def test_add_person_cannot_target_an_organization_outside_scope(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("members:person-create"), {
        "username": "chenjun", "name": "陈军", "organization": world.sibling.pk,
        "password1": "Chenjun@2026", "password2": "Chenjun@2026",
    })
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors


def test_staff_edit_a_person(client, world):
    client.force_login(world.staff)
    url = reverse("members:person-update", kwargs={"pk": world.other_member.pk})
    response = client.post(url, {
        "name": "新名字", "organization": world.bureau.pk, "position": "局长", "phone": "13800000000",
        "email": "", "is_active": "on",
    })
    assert response.status_code == 302
    world.other_member.refresh_from_db()
    assert world.other_member.name == "新名字"


def test_home_shows_each_role_what_matters(client, world):
    client.force_login(world.member)
    assert world.groups.bureau.name in client.get(reverse("home")).content.decode()
    client.force_login(world.staff)
    staff_home = client.get(reverse("home")).context["overview"]
    assert set(staff_home["managed_groups"]) == {world.groups.county, world.groups.bureau, world.groups.township}
    client.force_login(world.leader)
    assert client.get(reverse("home")).context["overview"]["subtree"]["groups"] == 6


def test_home_queries_do_not_grow_with_groups(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(5):
        org = world.county.__class__.objects.add_child(world.county, {"name": "新乡镇", "kind": "party_committee", "level": "township"})
        MembershipFactory.create_batch(2, group=StudyGroupFactory(organization=org))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)


def test_organization_tree_for_the_leader_lists_the_whole_subtree(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("members:organization-list"))
    assert len(response.context["object_list"]) == 6


def test_assignment_roles_are_the_ones_the_rules_know():
    # approver: the office director who approves the daily reading (members.scoping.approver_groups)
    # system_admin, security_admin, auditor: the three administrators (三员, studygroup.audit.rules)
    assert set(OrganizationAssignment.Role.values) == {
        "staff", "leader", "approver", "system_admin", "security_admin", "auditor",
    }
    assert set(Membership.Role.values) == {"leader", "deputy", "member", "secretary"}
