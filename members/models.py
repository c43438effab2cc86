"""Organisations (a tree), their study groups, people and who holds which role where."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet



def current_q(prefix: str = "") -> Q:
    """Rows whose term has not ended: ended_on empty or still in the future."""
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.managed_organizations(user).values("pk"))


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        # treebeard relies on path order for its tree operations.
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def editable_by(self, user):
        return self.get_queryset().editable_by(user)


class Organization(MP_Node):
    """A Party committee, Party group or working committee (党委 / 党组 / 党工委)."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        PARTY_GROUP = "party_group", _("Party group")
        WORKING_COMMITTEE = "working_committee", _("Party working committee")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        DEPARTMENT = "department", _("Department or bureau")
        TOWNSHIP = "township", _("Township")

    name = models.CharField(_("full name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # treebeard: 4 characters a level allow 1.6 million children per node.
    steplen = 4
    history = HistoricalRecords(excluded_fields=["numchild"])
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("members:organization-detail", kwargs={"pk": self.pk})


class StudyGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_groups(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.managed_groups(user).values("pk"))


class StudyGroup(models.Model):
    """An organisation's theory study center group (理论学习中心组)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="study_group",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = StudyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["organization__path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:group-detail", kwargs={"pk": self.pk})


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_people(user))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.managed_people(user))


class PersonManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person: group member, staff, leader. Logs in by username."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("works in"),
    )

    history = HistoricalRecords(excluded_fields=["last_login", "password"])
    objects = PersonManager()

    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "username"]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("members:person-detail", kwargs={"pk": self.pk})


class TermQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current_q())


class MembershipQuerySet(TermQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(group__in=scoping.visible_groups(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(group__in=scoping.managed_groups(user).values("pk"))


class Membership(models.Model):
    """A person's seat in a study group, for a term. Ended, never deleted: history stays."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Group leader")
        DEPUTY = "deputy", _("Deputy group leader")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Study secretary")

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("study group")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "role", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_person_and_group",
                violation_error_message=_("This person is already a member of this group."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.group}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    def get_absolute_url(self):
        return self.group.get_absolute_url()


class AssignmentQuerySet(TermQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(organization__in=scoping.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(organization__in=scoping.managed_organizations(user).values("pk"))


class OrganizationAssignment(models.Model):
    """Staff manage, leaders read: an organisation and everything below it."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff (propaganda department / office)")
        LEADER = "leader", _("Leader (reads the organization and below)")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization assignment")
        verbose_name_plural = _("organization assignments")
        ordering = ["organization__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_open_assignment_per_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
