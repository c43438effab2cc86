import pytest
from django.urls import reverse

from members.models import User

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "members_organization", "members_studygroup", "members_membership",
    "members_organizationassignment", "members_user",
    "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
]


@pytest.fixture
def admin_client(client, world):
    from conftest import force_login_verified

    admin = User.objects.create_superuser("root", password="Root@2026pass", name="管理员")
    return force_login_verified(client, admin)


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_admin_changelists_open_with_search(admin_client, model):
    url = reverse(f"admin:{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "青山"}).status_code == 200


def test_admin_shows_history_of_a_membership(admin_client, world):
    membership = world.member.memberships.get()
    url = reverse("admin:members_membership_history", args=[membership.pk])
    response = admin_client.get(url)
    assert response.status_code == 200


def test_admin_change_pages_open(admin_client, world):
    for model, obj in [
        ("members_organization", world.county), ("members_studygroup", world.groups.county),
        ("members_user", world.member),
    ]:
        assert admin_client.get(reverse(f"admin:{model}_change", args=[obj.pk])).status_code == 200


def test_admin_is_closed_to_staff_users(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
