"""Who may see and change what: the one place that decides.

Every function returns a queryset that callers use as a subquery. It is built from the user's own
assignments and seats, read once a request (``_facts``): the organisations of a tree are those
whose indexed path starts with the assigned one's, which the database answers from the index at
any size. Rules:

- staff (宣传部 / 办公室) manage the organisations they are assigned to and all below them, and
  the study groups of those organisations;
- leaders read their organisation and all below it;
- members see the groups they currently belong to;
- superusers see and manage everything (they also have the Django admin).

Models that belong to a study group use ``GroupScopedQuerySet`` so their ``visible_to`` and
``editable_by`` go through here. Views get their objects only that way (see
``studygroup.views.ScopedObjectMixin``): out of scope is 404, in scope but not allowed is 403.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from members.models import (
    Membership,
    Organization,
    OrganizationAssignment,
    StudyGroup,
    User,
    current_q,
    scopes,
)
from studygroup.permissions import forget, remembered

STAFF = OrganizationAssignment.Role.STAFF
LEADER = OrganizationAssignment.Role.LEADER
APPROVER = OrganizationAssignment.Role.APPROVER
SYSTEM_ADMIN = OrganizationAssignment.Role.SYSTEM_ADMIN
SECURITY_ADMIN = OrganizationAssignment.Role.SECURITY_ADMIN
AUDITOR = OrganizationAssignment.Role.AUDITOR
ADMIN_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR)


def _is_anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def _facts(user) -> dict:
    """The user's current assignments (role, organisation path) and seats (group id, role): two
    small queries, remembered for the request (``studygroup.permissions``). The scoping functions
    build their filters from these, so the database sees plain ``path LIKE 'prefix%'`` tests on the
    indexed path and short id lists, which it plans well at any size (a correlated path test
    against every organisation did not)."""

    def compute():
        return {
            "assignments": list(
                OrganizationAssignment.objects.filter(current_q(), user=user).values_list("role", "organization__path")
            ),
            "seats": list(Membership.objects.filter(current_q(), user=user).values_list("group_id", "role")),
        }

    return remembered(("scoping-facts", user.pk), compute)


def forget_facts(user) -> None:
    """After a change to the user's assignments or seats: the rest of the request sees it."""
    forget(("scoping-facts", user.pk))
    for name in GROUP_ID_LISTS:
        forget(("group-ids", name, user.pk))


# Up to this many groups, a filter names them by id: the database then reads each group's rows
# from its index. A province's thousands of groups stay a subquery, where reading the newest rows
# in order and keeping the visible ones is quicker.
FEW_GROUPS = 500
GROUP_ID_LISTS = ("reviewable", "read", "visible")


def group_ids_when_few(name: str, user, groups: models.QuerySet):
    """The ids of ``groups`` (one of ``GROUP_ID_LISTS`` for ``user``) as a list when there are at
    most ``FEW_GROUPS``, else ``groups`` as a subquery; the list is remembered for the request."""
    if name not in GROUP_ID_LISTS:
        raise ValueError(name)

    def compute():
        ids = list(groups.order_by().values_list("pk", flat=True)[: FEW_GROUPS + 1])
        return ids if len(ids) <= FEW_GROUPS else None

    ids = remembered(("group-ids", name, getattr(user, "pk", None)), compute)
    return ids if ids is not None else groups.values("pk")


def _paths(user, roles) -> list[str]:
    """Paths of the organisations where the user holds one of ``roles``, none below another."""
    paths = sorted({path for role, path in _facts(user)["assignments"] if role in roles})
    kept = []
    for path in paths:
        if not any(path.startswith(top) for top in kept):
            kept.append(path)
    return kept


def _tree(user, roles, field: str = "path", *, strictly: bool = False) -> Q:
    """Organisations at or below (``strictly``: below) one where the user holds ``roles``;
    ``field`` is the path's lookup from the filtered model."""
    condition = Q(pk__in=[])
    for path in _paths(user, roles):
        below = Q(**{f"{field}__startswith": path})
        condition |= (below & ~Q(**{field: path})) if strictly else below
    return condition


def _seated_groups(user, roles=None) -> list[int]:
    return [group for group, role in _facts(user)["seats"] if roles is None or role in roles]


def visible_organizations(user) -> models.QuerySet:
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        _tree(user, [STAFF, LEADER, SYSTEM_ADMIN]) | Q(study_group__in=_seated_groups(user))
    )


def managed_organizations(user) -> models.QuerySet:
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_tree(user, [STAFF]))


def managed_roots(user) -> list[str]:
    """The paths of the organisations where the user is staff (the tops of their managed tree)."""
    if _is_anonymous(user):
        return []
    return _paths(user, [STAFF])


def read_organizations(user) -> models.QuerySet:
    """Organisations whose every record the user may read (staff and leaders, not members)."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_tree(user, [STAFF, LEADER]))


def read_groups(user) -> models.QuerySet:
    """Groups whose every record the user may read: those of ``read_organizations``."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(_tree(user, [STAFF, LEADER], "organization__path"))


def visible_groups(user) -> models.QuerySet:
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(
        _tree(user, [STAFF, LEADER], "organization__path") | Q(pk__in=_seated_groups(user))
    )


def managed_groups(user) -> models.QuerySet:
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(_tree(user, [STAFF], "organization__path"))


def member_groups(user) -> models.QuerySet:
    """Groups the user currently sits in (any role)."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    return StudyGroup.objects.filter(pk__in=_seated_groups(user))


def led_groups(user) -> models.QuerySet:
    """Groups whose current 组长 (membership role leader) the user is."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    return StudyGroup.objects.filter(pk__in=_seated_groups(user, [Membership.Role.LEADER]))


def reviewable_groups(user) -> models.QuerySet:
    """Groups whose members' work the user reviews: the groups they manage, and the groups where
    they are the current study secretary (学习秘书)."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(
        _tree(user, [STAFF], "organization__path") | Q(pk__in=_seated_groups(user, [Membership.Role.SECRETARY]))
    )


def approver_groups(user) -> models.QuerySet:
    """Groups whose daily reading the user approves: an ``approver`` assignment (the office
    director) at the group's organisation or above."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(_tree(user, [APPROVER], "organization__path"))


def visible_people_q(user) -> Q:
    """A filter on people: those the user may look up (see ``visible_people``)."""
    if _is_anonymous(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    tree = _tree(user, [STAFF, LEADER, SYSTEM_ADMIN, SECURITY_ADMIN], "organization__path")
    groups = group_ids_when_few("visible", user, visible_groups(user))
    if isinstance(groups, list):
        # A member's or a county's few groups: the union of three index reads (themselves, their
        # tree's people, their groups' people) is a few hundred ids, where one OR-ed filter made
        # the database test every person of the province (0.4 s for a member).
        ids = User.objects.filter(pk=user.pk).order_by().values("pk").union(
            User.objects.filter(tree).order_by().values("pk"),
            Membership.objects.filter(current_q(), group__in=groups).order_by().values("user"),
        )
        return Q(pk__in=ids)
    # A province's people are nearly everyone: read them in order and keep the visible ones.
    in_visible_group = Membership.objects.filter(current_q(), user=OuterRef("pk"), group__in=groups)
    return Q(pk=user.pk) | tree | Exists(in_visible_group)


def visible_people(user) -> models.QuerySet:
    """Ids of the people the user may look up: their organisations' and their groups' people."""
    return User.objects.filter(visible_people_q(user)).values("pk")


def managed_people(user) -> models.QuerySet:
    """Ids of the people the user may seat in groups: those of their managed tree and those
    already seated in a managed group. Editing a person is narrower: ``editable_people``."""
    if _is_anonymous(user):
        return User.objects.none().values("pk")
    if user.is_superuser:
        return User.objects.values("pk")
    in_managed_group = Membership.objects.filter(
        user=OuterRef("pk"), group__in=managed_groups(user).values("pk")
    )
    return User.objects.filter(
        _tree(user, [STAFF], "organization__path") | Exists(in_managed_group)
    ).values("pk")


def administered_organizations(user, role) -> models.QuerySet:
    """Organisations an administrator role (系统管理员 / 安全管理员 / 审计管理员) acts on: the
    organisation it is assigned at and everything below. Superusers act everywhere."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_tree(user, [role]))


def administered_groups(user) -> models.QuerySet:
    """Study groups a 系统管理员 sets up and renames: those of its administered tree. (It does
    not read their plans, meetings or work: those follow ``visible_groups``.)"""
    return StudyGroup.objects.filter(
        organization__in=administered_organizations(user, SYSTEM_ADMIN).values("pk")
    )


def account_organizations(user) -> models.QuerySet:
    """Organisations whose people's accounts the user creates and edits: staff's managed tree and
    a 系统管理员's administered tree."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_tree(user, [STAFF, SYSTEM_ADMIN]))


def grantable_organizations(user) -> models.QuerySet:
    """Organisations where a 系统管理员 grants and ends roles: strictly below the organisation it
    is assigned at (never at or above its own)."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_tree(user, [SYSTEM_ADMIN], strictly=True))


def _holds_power_outside(below: models.QuerySet) -> Exists:
    """The person (OuterRef pk) holds a current assignment of any role at an organisation not in
    ``below``: power at or above the editor's own organisation, or elsewhere."""
    return Exists(
        OrganizationAssignment.objects.filter(current_q(), user=OuterRef("pk")).exclude(
            organization__in=below.values("pk")
        )
    )


def _holds_admin_role() -> Exists:
    return Exists(OrganizationAssignment.objects.filter(current_q(), user=OuterRef("pk"), role__in=ADMIN_ROLES))


def _outranked_people(user, roles, *, admins_allowed: bool) -> Q:
    """People whose own organisation is in the tree of ``user``'s ``roles`` and who hold no more
    power than the user: no superuser, no role at or above the user's organisation (nor outside
    its tree), and (unless ``admins_allowed``) no administrator role at all."""
    below = Organization.objects.filter(_tree(user, roles, strictly=True))
    condition = (
        _tree(user, roles, "organization__path")
        & Q(is_superuser=False)
        & ~Q(pk=user.pk)
        & ~_holds_power_outside(below)
    )
    if not admins_allowed:
        condition &= ~_holds_admin_role()
    return condition


def editable_people(user) -> models.QuerySet:
    """Ids of the people whose account (name, organisation, contact, active) the user may change.

    Staff: people whose own organisation is in their managed tree, holding no administrator role
    and no staff/leader/approver role at or above the staff's organisation. 系统管理员: the same
    in its administered tree, where administrator roles strictly below its own may be edited.
    Never oneself, never a superuser. Being seated in a group gives no power over a person."""
    if _is_anonymous(user):
        return User.objects.none().values("pk")
    if user.is_superuser:
        return User.objects.values("pk")
    return User.objects.filter(
        _outranked_people(user, [STAFF], admins_allowed=False)
        | _outranked_people(user, [SYSTEM_ADMIN], admins_allowed=True)
    ).values("pk")


def password_resettable_people(user) -> models.QuerySet:
    """Ids of the people whose password the user may reset: only a 安全管理员, in its tree, never
    of a more powerful person (superuser, any role at or above its own organisation)."""
    if _is_anonymous(user):
        return User.objects.none().values("pk")
    if user.is_superuser:
        return User.objects.exclude(pk=user.pk).values("pk")
    return User.objects.filter(_outranked_people(user, [SECURITY_ADMIN], admins_allowed=True)).values("pk")


def grantee_people(user) -> models.QuerySet:
    """Ids of the people a 系统管理员 may grant roles to: in its tree, not more powerful, never
    itself."""
    if _is_anonymous(user):
        return User.objects.none().values("pk")
    if user.is_superuser:
        return User.objects.exclude(pk=user.pk).values("pk")
    return User.objects.filter(_outranked_people(user, [SYSTEM_ADMIN], admins_allowed=True)).values("pk")


def roles_of(user) -> set[str]:
    """The roles a user holds somewhere, for navigation: 'staff', 'leader', 'member'."""
    if _is_anonymous(user):
        return set()
    roles = set(
        OrganizationAssignment.objects.filter(current_q(), user=user).values_list("role", flat=True)
    )
    if Membership.objects.filter(current_q(), user=user).exists():
        roles.add("member")
    if user.is_superuser:
        roles.update({STAFF, LEADER})
    return roles


class GroupScopedQuerySet(models.QuerySet):
    """For models that belong to a study group; ``group_lookup`` says how to reach it."""

    group_lookup = "group"

    def visible_to(self, user):
        return self.filter(**{f"{self.group_lookup}__in": visible_groups(user).values("pk")})

    def editable_by(self, user):
        return self.filter(**{f"{self.group_lookup}__in": managed_groups(user).values("pk")})


# The models' ``visible_to`` querysets call these (members.models.scopes).
scopes.__dict__.update(
    administered_groups=administered_groups,
    editable_people=editable_people,
    managed_groups=managed_groups,
    managed_organizations=managed_organizations,
    visible_groups=visible_groups,
    visible_organizations=visible_organizations,
    visible_people=visible_people,
    visible_people_q=visible_people_q,
)
