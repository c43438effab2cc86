"""Who may do what to whom: editor × target × action, each with the outcome the rules give.

Editors: the county's staff, the city's leader, a member of the county's bureau group, the
sibling county's staff, and the three administrator roles (三员) assigned at the county.
Targets: a member of the bureau, staff of the same (county), parent (city) and child (bureau)
organisation, each administrator role at the county, a superuser working at the county, and a
person of the sibling county seated in the county's bureau group.

Each cell runs on a fresh database; after a refusal the database must be unchanged, after a
success it holds exactly the change. 404: the editor does not see the person (an id reveals
nothing); 403: sees but may not.
"""

import copy
from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import build_world, built_once_per_module, force_login_verified
from members.models import OrganizationAssignment, User
from members.tests.factories import AssignmentFactory, MembershipFactory, UserFactory

Role = OrganizationAssignment.Role
PASSWORD = "Test@2026pass"

EDITORS = ["staff", "leader", "member", "sibling_staff", "system_admin", "security_admin", "auditor"]
TARGETS = [
    "member", "staff_same", "staff_parent", "staff_child", "system_admin", "security_admin", "auditor",
    "superuser", "seated_from_sibling",
]
ACTIONS = ["view", "edit", "change_email", "deactivate", "reset_password"]

OK = "ok"
# (view, edit, deactivate, reset password); changing the e-mail answers as editing does.
SEES_ONLY = (200, 403, 403, 403)
HIDDEN = (404, 404, 404, 404)
STAFF_EDITS = (200, OK, OK, 403)
SECADMIN_RESETS = (200, 403, 403, OK)

EXPECTED = {
    "staff": {
        "member": STAFF_EDITS, "staff_same": SEES_ONLY, "staff_parent": HIDDEN, "staff_child": STAFF_EDITS,
        "system_admin": SEES_ONLY, "security_admin": SEES_ONLY, "auditor": SEES_ONLY, "superuser": SEES_ONLY,
        # Seated in the county's group, but of the sibling county: the county's staff see, not edit.
        "seated_from_sibling": SEES_ONLY,
    },
    # The city's leader reads the whole city and edits nobody.
    "leader": {target: SEES_ONLY for target in TARGETS},
    "member": {
        target: (SEES_ONLY if target in ("member", "seated_from_sibling") else HIDDEN) for target in TARGETS
    },
    # The person's own county is the sibling: its staff edit them; nobody else of the county.
    "sibling_staff": {target: (STAFF_EDITS if target == "seated_from_sibling" else HIDDEN) for target in TARGETS},
    "system_admin": {
        "member": STAFF_EDITS, "staff_same": SEES_ONLY, "staff_parent": HIDDEN, "staff_child": STAFF_EDITS,
        "system_admin": SEES_ONLY, "security_admin": SEES_ONLY, "auditor": SEES_ONLY, "superuser": SEES_ONLY,
        "seated_from_sibling": HIDDEN,
    },
    "security_admin": {
        "member": SECADMIN_RESETS, "staff_same": SEES_ONLY, "staff_parent": HIDDEN,
        "staff_child": SECADMIN_RESETS, "system_admin": SEES_ONLY, "security_admin": SEES_ONLY,
        "auditor": SEES_ONLY, "superuser": SEES_ONLY, "seated_from_sibling": HIDDEN,
    },
    # The auditor reads the audit trail and nothing else.
    "auditor": {target: HIDDEN for target in TARGETS},
}


def expected_outcome(editor, target, action):
    view, edit, deactivate, reset = EXPECTED[editor][target]
    return {"view": view, "edit": edit, "change_email": edit, "deactivate": deactivate, "reset_password": reset}[action]


@pytest.fixture(scope="module")
def _module_people(module_transaction, _module_world):
    return built_once_per_module(module_transaction, lambda: build_people(_module_world))


@pytest.fixture
def people(_module_people, db):
    """``world`` plus the administrator roles at the county and the targets of the matrix."""
    if _module_people is None:
        return build_people(build_world())
    return copy.deepcopy(_module_people)


def build_people(world):

    def person(username, organization, role=None, at=None, **extra):
        someone = UserFactory(username=username, organization=organization, email=f"{username}@example.cn", **extra)
        if role:
            AssignmentFactory(user=someone, organization=at or organization, role=role)
        return someone

    editors = SimpleNamespace(
        staff=world.staff, leader=world.leader, member=world.member, sibling_staff=world.sibling_staff,
        system_admin=person("sysadmin", world.county, Role.SYSTEM_ADMIN),
        security_admin=person("secadmin", world.county, Role.SECURITY_ADMIN),
        auditor=person("auditor", world.county, Role.AUDITOR),
    )
    seated = person("seated", world.sibling_bureau)
    MembershipFactory(user=seated, group=world.groups.bureau)
    targets = SimpleNamespace(
        member=world.other_member,
        staff_same=person("staff2", world.county, Role.STAFF),
        staff_parent=person("city_staff", world.city, Role.STAFF),
        staff_child=person("bureau_staff", world.bureau, Role.STAFF),
        system_admin=person("sysadmin2", world.county, Role.SYSTEM_ADMIN),
        security_admin=person("secadmin2", world.county, Role.SECURITY_ADMIN),
        auditor=person("auditor2", world.county, Role.AUDITOR),
        superuser=person("root", world.county, is_superuser=True, is_staff=True),
        seated_from_sibling=seated,
    )
    return SimpleNamespace(world=world, editors=editors, targets=targets)


def snapshot(person: User) -> dict:
    person.refresh_from_db()
    return {
        "name": person.name, "email": person.email, "phone": person.phone, "is_active": person.is_active,
        "password": person.password, "must_change_password": person.must_change_password,
        "organization_id": person.organization_id,
    }


def act(client, action, target):
    if action == "view":
        return client.get(reverse("members:person-detail", kwargs={"pk": target.pk}))
    if action in ("edit", "change_email"):
        data = {
            "name": "改过的名字" if action == "edit" else target.name,
            "organization": target.organization_id, "position": target.position, "phone": target.phone,
            "email": "new-address@example.cn" if action == "change_email" else target.email,
        }
        return client.post(reverse("members:person-update", kwargs={"pk": target.pk}), data)
    if action == "deactivate":
        return client.post(reverse("members:person-deactivate", kwargs={"pk": target.pk}))
    if action == "reset_password":
        return client.post(reverse("members:person-password-reset", kwargs={"pk": target.pk}))
    raise AssertionError(action)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target_name", TARGETS)
@pytest.mark.parametrize("editor_name", EDITORS)
def test_account_action_answers_as_the_rules_say(people, client, editor_name, target_name, action):
    editor = getattr(people.editors, editor_name)
    target = getattr(people.targets, target_name)
    expected = expected_outcome(editor_name, target_name, action)
    before = snapshot(target)
    force_login_verified(client, editor)

    response = act(client, action, target)

    after = snapshot(target)
    if expected != OK:
        assert response.status_code == expected, f"{editor_name} → {target_name}: {action}"
        if action != "view":
            assert after == before, "a refused action changed nothing"
        return
    changed = {key for key in after if after[key] != before[key]}
    if action == "edit":
        assert response.status_code == 302
        assert changed == {"name"}, "only the name changed; leaving is_active out deactivated nobody"
    elif action == "change_email":
        assert response.status_code == 302
        assert changed == {"email"}
        assert after["email"] == "new-address@example.cn"
    elif action == "deactivate":
        assert response.status_code == 302
        assert changed == {"is_active"}
        assert after["is_active"] is False
    elif action == "reset_password":
        assert response.status_code == 200
        assert changed == {"password", "must_change_password"}
        assert after["must_change_password"] is True
        temporary = response.context["temporary_password"]
        assert User.objects.get(pk=target.pk).check_password(temporary)


def test_every_cell_of_the_matrix_has_an_expectation():
    for editor in EDITORS:
        assert set(EXPECTED[editor]) == set(TARGETS), editor


def test_a_refused_edit_shows_the_site_layout(people, client):
    force_login_verified(client, people.editors.staff)
    response = act(client, "edit", people.targets.staff_same)
    assert response.status_code == 403
    assert "您无权执行此操作" in response.content.decode()


def test_the_edit_form_has_no_active_checkbox(people, client):
    force_login_verified(client, people.editors.staff)
    response = client.get(reverse("members:person-update", kwargs={"pk": people.targets.member.pk}))
    assert response.status_code == 200
    assert 'name="is_active"' not in response.content.decode()


def test_a_posted_is_active_field_is_ignored(people, client):
    target = people.targets.member
    force_login_verified(client, people.editors.staff)
    data = {"name": target.name, "organization": target.organization_id, "position": "", "phone": "",
            "email": target.email, "is_active": ""}
    client.post(reverse("members:person-update", kwargs={"pk": target.pk}), data)
    target.refresh_from_db()
    assert target.is_active is True


def test_staff_cannot_move_a_person_out_of_their_tree(people, client):
    target = people.targets.member
    force_login_verified(client, people.editors.staff)
    data = {"name": target.name, "organization": people.world.sibling.pk, "position": "", "phone": "",
            "email": target.email}
    response = client.post(reverse("members:person-update", kwargs={"pk": target.pk}), data)
    assert response.status_code == 200, "the form comes back with the error"
    target.refresh_from_db()
    assert target.organization == people.world.bureau


def test_nobody_deactivates_or_edits_themselves_here(people, client):
    sysadmin = people.editors.system_admin
    force_login_verified(client, sysadmin)
    assert client.post(reverse("members:person-deactivate", kwargs={"pk": sysadmin.pk})).status_code == 403
    assert client.get(reverse("members:person-update", kwargs={"pk": sysadmin.pk})).status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_reactivation_is_its_own_confirmed_action(people, client):
    target = people.targets.member
    target.is_active = False
    target.save()
    force_login_verified(client, people.editors.staff)
    confirm = client.get(reverse("members:person-reactivate", kwargs={"pk": target.pk}))
    assert confirm.status_code == 200
    target.refresh_from_db()
    assert not target.is_active, "opening the page changes nothing"
    client.post(reverse("members:person-reactivate", kwargs={"pk": target.pk}))
    target.refresh_from_db()
    assert target.is_active
