"""Who may see and change what: the one place that decides.

Every function returns a lazy queryset, so callers use it as a subquery and the database does
the work in one statement whatever the size of the tree. Rules:

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
from django.db.models.functions import Length, Substr

from members.models import (
    Membership,
    Organization,
    OrganizationAssignment,
    StudyGroup,
    User,
    current_q,
    scopes,
)

STAFF = OrganizationAssignment.Role.STAFF
LEADER = OrganizationAssignment.Role.LEADER
APPROVER = OrganizationAssignment.Role.APPROVER
SYSTEM_ADMIN = OrganizationAssignment.Role.SYSTEM_ADMIN
SECURITY_ADMIN = OrganizationAssignment.Role.SECURITY_ADMIN
AUDITOR = OrganizationAssignment.Role.AUDITOR
ADMIN_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR)


def _is_anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def _assignments(user, roles):
    return OrganizationAssignment.objects.filter(current_q(), user=user, role__in=roles)


def _within(assignments) -> Exists:
    """True for organisations at or below an assigned one: treebeard's path starts with theirs."""
    return Exists(
        assignments.filter(
            organization__path=Substr(OuterRef("path"), 1, Length("organization__path"))
        )
    )


def _strictly_within(assignments) -> Exists:
    """True for organisations strictly below an assigned one (the assigned one itself excluded)."""
    return Exists(
        assignments.filter(
            organization__path=Substr(OuterRef("path"), 1, Length("organization__path")),
            organization__depth__lt=OuterRef("depth"),
        )
    )


def _member_of_group(user, group_ref: str = "pk") -> Exists:
    return Exists(Membership.objects.filter(current_q(), user=user, group=OuterRef(group_ref)))


def visible_organizations(user) -> models.QuerySet:
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        _within(_assignments(user, [STAFF, LEADER, SYSTEM_ADMIN]))
        | Q(study_group__in=StudyGroup.objects.filter(_member_of_group(user)).values("pk"))
    )


def managed_organizations(user) -> models.QuerySet:
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_within(_assignments(user, [STAFF])))


def read_organizations(user) -> models.QuerySet:
    """Organisations whose every record the user may read (staff and leaders, not members)."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_within(_assignments(user, [STAFF, LEADER])))


def visible_groups(user) -> models.QuerySet:
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(
        Q(organization__in=read_organizations(user).values("pk")) | _member_of_group(user)
    )


def managed_groups(user) -> models.QuerySet:
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    return StudyGroup.objects.filter(organization__in=managed_organizations(user).values("pk"))


def member_groups(user) -> models.QuerySet:
    """Groups the user currently sits in (any role)."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    return StudyGroup.objects.filter(_member_of_group(user))


def led_groups(user) -> models.QuerySet:
    """Groups whose current 组长 (membership role leader) the user is."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    return StudyGroup.objects.filter(
        Exists(
            Membership.objects.filter(
                current_q(), user=user, group=OuterRef("pk"), role=Membership.Role.LEADER
            )
        )
    )


def reviewable_groups(user) -> models.QuerySet:
    """Groups whose members' work the user reviews: the groups they manage, and the groups where
    they are the current study secretary (学习秘书)."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    secretary_of = Exists(
        Membership.objects.filter(
            current_q(), user=user, group=OuterRef("pk"), role=Membership.Role.SECRETARY
        )
    )
    return StudyGroup.objects.filter(
        Q(organization__in=managed_organizations(user).values("pk")) | secretary_of
    )


def approver_groups(user) -> models.QuerySet:
    """Groups whose daily reading the user approves: an ``approver`` assignment (the office
    director) at the group's organisation or above."""
    if _is_anonymous(user):
        return StudyGroup.objects.none()
    if user.is_superuser:
        return StudyGroup.objects.all()
    approves = Organization.objects.filter(_within(_assignments(user, [APPROVER])))
    return StudyGroup.objects.filter(organization__in=approves.values("pk"))


def visible_people(user) -> models.QuerySet:
    """Ids of the people the user may look up: their organisations' and their groups' people."""
    if _is_anonymous(user):
        return User.objects.none().values("pk")
    if user.is_superuser:
        return User.objects.values("pk")
    in_visible_group = Membership.objects.filter(
        current_q(), user=OuterRef("pk"), group__in=visible_groups(user).values("pk")
    )
    administers = Organization.objects.filter(_within(_assignments(user, [SYSTEM_ADMIN, SECURITY_ADMIN])))
    return User.objects.filter(
        Q(pk=user.pk)
        | Q(organization__in=read_organizations(user).values("pk"))
        | Q(organization__in=administers.values("pk"))
        | Exists(in_visible_group)
    ).values("pk")


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
        Q(organization__in=managed_organizations(user).values("pk")) | Exists(in_managed_group)
    ).values("pk")


def administered_organizations(user, role) -> models.QuerySet:
    """Organisations an administrator role (系统管理员 / 安全管理员 / 审计管理员) acts on: the
    organisation it is assigned at and everything below. Superusers act everywhere."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_within(_assignments(user, [role])))


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
    return Organization.objects.filter(_within(_assignments(user, [STAFF, SYSTEM_ADMIN])))


def grantable_organizations(user) -> models.QuerySet:
    """Organisations where a 系统管理员 grants and ends roles: strictly below the organisation it
    is assigned at (never at or above its own)."""
    if _is_anonymous(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(_strictly_within(_assignments(user, [SYSTEM_ADMIN])))


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
    assignments = _assignments(user, roles)
    tree = Organization.objects.filter(_within(assignments))
    below = Organization.objects.filter(_strictly_within(assignments))
    condition = (
        Q(organization__in=tree.values("pk"))
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
)
