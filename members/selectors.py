"""Reads shared by views, reports and tasks, with annotations so their cost does not grow."""

from django.db.models import Count, OuterRef, Prefetch

from members import scoping
from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User, current_q
from studygroup.queries import count_subquery


def current_member_count(group_ref: str = "pk"):
    """The current members of the group at ``group_ref``, counted for the rows the database
    returns (a page), not for every group in scope (``studygroup.queries``)."""
    return count_subquery(Membership.objects.filter(current_q(), group=OuterRef(group_ref)))


def groups_with_counts(queryset):
    """Study groups with their current member count and the organisation, in one query."""
    return (
        queryset.select_related("organization")
        .annotate(member_count=current_member_count())
        .order_by("organization__path")
    )


def my_memberships(user):
    return (
        Membership.objects.current()
        .filter(user=user)
        .select_related("group__organization")
        .order_by("group__organization__path")
    )


def my_assignments(user):
    return (
        OrganizationAssignment.objects.current()
        .filter(user=user)
        .select_related("organization")
        .order_by("role", "organization__path")
    )


def person_roles(person):
    """A person's current roles (staff, leader, approver, administrator roles) with where."""
    return (
        OrganizationAssignment.objects.current()
        .filter(user=person)
        .select_related("organization")
        .order_by("organization__path", "role")
    )


def home_overview(user) -> dict:
    """What the home page shows: the user's own groups; staff: managed groups; leaders: subtree."""
    assignments = list(my_assignments(user))
    staff_orgs = [a.organization for a in assignments if a.role == OrganizationAssignment.Role.STAFF]
    leader_orgs = [a.organization for a in assignments if a.role == OrganizationAssignment.Role.LEADER]
    overview = {
        "memberships": list(my_memberships(user)),
        "staff_organizations": staff_orgs,
        "leader_organizations": leader_orgs,
        "managed_groups": [],
        "subtree": None,
    }
    if staff_orgs:
        overview["managed_groups"] = list(groups_with_counts(scoping.managed_groups(user))[:50])
        overview["managed_group_total"] = scoping.managed_groups(user).count()
    if leader_orgs:
        overview["subtree"] = subtree_summary(user)
    return overview


def subtree_summary(user) -> dict:
    """Counts across everything the user reads, by level: one aggregate query."""
    readable = scoping.read_organizations(user)
    by_level = dict(
        readable.values_list("level").annotate(n=Count("pk")).order_by()
    )
    groups = StudyGroup.objects.filter(organization__in=readable.values("pk"))
    totals = groups.aggregate(
        groups=Count("pk", distinct=True),
        members=Count("memberships__user", filter=current_q("memberships__"), distinct=True),
    )
    return {"organizations_by_level": by_level, **totals}


def organization_tree(user):
    """Visible organisations in tree order with their group and member count."""
    return (
        scoping.visible_organizations(user)
        .select_related("study_group")
        .annotate(member_count=current_member_count("study_group"))
        .order_by("path")
    )


def group_memberships(group, *, include_past: bool = False):
    memberships = group.memberships.select_related("user").order_by("ended_on", "role", "user__name")
    if not include_past:
        memberships = memberships.filter(current_q())
    return memberships


def people_with_groups(queryset):
    """People with their current memberships prefetched: two queries for any page size."""
    return queryset.select_related("organization").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(current_q()).select_related("group"),
            to_attr="current_memberships",
        )
    )


def organization_group(org, user):
    """The organisation's own study group, if the user sees or administers it."""
    return StudyGroup.objects.visible_or_administered_by(user).filter(organization=org).first()


def organization_child_groups(org, user):
    """The study groups of an organisation's direct children that the user may see."""
    return groups_with_counts(
        scoping.visible_groups(user).filter(
            organization__in=Organization.objects.get_children(org).values("pk")
        )
    )


def organization_ancestors(org, user):
    """The breadcrumb above an organisation, as far up as the user may see."""
    return Organization.objects.get_ancestors(org).filter(
        pk__in=scoping.visible_organizations(user).values("pk")
    )



def people_to_seat(*, group, by):
    """Active people the user manages who are not yet current members of the group."""
    return (
        User.objects.filter(pk__in=scoping.managed_people(by), is_active=True)
        .exclude(pk__in=group.memberships.current().values("user"))
        .select_related("organization")
        .order_by("name")
    )
