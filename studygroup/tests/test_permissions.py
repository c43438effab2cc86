"""Every URL pattern, opened by every role: the status each gets.

The roles come from the ``world`` fixture: a member of the county's education bureau group, the
county's staff, the leader of the parent city, and staff of a sibling county. Objects belong to
the county's bureau, so the sibling's staff must get 404 on every one of them (an id reveals
nothing), while people who may see but not act get 403.

A new URL pattern fails ``test_every_url_pattern_has_expectations`` until it is added to
``EXPECTATIONS`` below: this is how the rule stays true as the app grows.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anonymous", "member", "staff", "leader", "sibling_staff"]

# Patterns that are not pages of ours, or that are not user-facing GET pages.
IGNORED_NAMESPACES = {"admin"}
IGNORED_NAMES = {
    "login", "logout", "password_change", "password_change_done", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete", "set_language",
}


def statuses(anonymous=302, member=200, staff=200, leader=200, sibling_staff=200):
    return dict(anonymous=anonymous, member=member, staff=staff, leader=leader, sibling_staff=sibling_staff)


# Pages everyone signed in may open (their content is scoped).
OPEN = statuses()
# An object of the county's bureau group that its members may read.
GROUP_OBJECT = statuses(sibling_staff=404)
# An action on such an object that only the county's staff may take.
GROUP_ACTION = statuses(member=403, leader=403, sibling_staff=404)
# A page for creating things: only people who manage something.
MANAGER_PAGE = statuses(member=403, leader=403)

EXPECTATIONS = {
    "home": (None, OPEN),
    "members:organization-list": (None, OPEN),
    "members:organization-detail": (lambda w: {"pk": w.bureau.pk}, GROUP_OBJECT),
    "members:group-list": (None, OPEN),
    "members:group-detail": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_OBJECT),
    "members:membership-create": (lambda w: {"pk": w.groups.bureau.pk}, GROUP_ACTION),
    "members:membership-end": (
        lambda w: {"pk": w.member.memberships.get().pk},
        GROUP_ACTION,
    ),
    "members:person-list": (None, OPEN),
    "members:person-create": (None, MANAGER_PAGE),
    "members:person-detail": (lambda w: {"pk": w.other_member.pk}, GROUP_OBJECT),
    "members:person-update": (lambda w: {"pk": w.other_member.pk}, GROUP_ACTION),
}


def url_names(patterns=None, namespace=""):
    """Every named pattern of the project, as 'namespace:name'."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in IGNORED_NAMESPACES:
                continue
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.name not in IGNORED_NAMES:
                yield f"{namespace}{entry.name}"


def test_every_url_pattern_has_expectations():
    missing = sorted(set(url_names()) - set(EXPECTATIONS))
    assert not missing, f"add these URL names to EXPECTATIONS: {missing}"
    stale = sorted(set(EXPECTATIONS) - set(url_names()))
    assert not stale, f"these URL names no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_url_answers_each_role_as_expected(name, role, world, client):
    kwargs_for, expected = EXPECTATIONS[name]
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if expected[role] == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_forbidden_and_not_found_render_in_the_site_layout(world, client):
    client.force_login(world.member)
    forbidden = client.get(reverse("members:membership-create", kwargs={"pk": world.groups.bureau.pk}))
    assert forbidden.status_code == 403
    assert "您无权执行此操作" in forbidden.content.decode()
    client.force_login(world.sibling_staff)
    missing = client.get(reverse("members:group-detail", kwargs={"pk": world.groups.bureau.pk}))
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "页面不存在" in body and 'class="navbar' in body


def test_server_error_page_renders_in_the_site_layout(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "500" in body and 'class="navbar' in body
