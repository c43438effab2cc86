"""Organisations (a tree), their study groups, people and who holds which role where."""

from types import SimpleNamespace

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

# The scoping functions the querysets' ``visible_to`` use. ``members.scoping`` puts them here when
# it loads (it imports these models, so they cannot import it); MembersConfig.ready loads it.
scopes = SimpleNamespace()


def current_q(prefix: str = "") -> Q:
    """Rows whose term has not ended: ended_on empty or still in the future."""
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user):
        return self.filter(pk__in=scopes.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        return self.filter(pk__in=scopes.managed_organizations(user).values("pk"))


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
    level = models.CharField(pgettext_lazy("organization level", "level"), max_length=20, choices=Level.choices)
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
        return self.filter(pk__in=scopes.visible_groups(user).values("pk"))

    def editable_by(self, user):
        return self.filter(pk__in=scopes.managed_groups(user).values("pk"))

    def visible_or_administered_by(self, user):
        """The groups the user sees, and those a 系统管理员 administers (the group itself, its
        name and members; not its records)."""
        return self.filter(
            Q(pk__in=scopes.visible_groups(user).values("pk"))
            | Q(pk__in=scopes.administered_groups(user).values("pk"))
        )


class StudyGroup(models.Model):
    """An organisation's theory study center group (理论学习中心组)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="study_group",
        verbose_name=_("organization"),
    )
    name = models.CharField(pgettext_lazy("name of a group or channel", "name"), max_length=150)
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
        return self.filter(scopes.visible_people_q(user))

    def editable_by(self, user):
        return self.filter(pk__in=scopes.editable_people(user))


class PersonManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person: group member, staff, leader. Logs in by username."""

    name = models.CharField(pgettext_lazy("name of a person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(pgettext_lazy("job title", "position"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("works in"),
    )
    # Set on every password change (set_password), so passwords can expire
    # (PASSWORD_EXPIRY_DAYS) and the audit trail can tell a change from other edits.
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True, editable=False)

    # Set when someone else reset the password: the person must choose a new one at the next
    # login (studygroup.middleware.ForcePasswordChangeMiddleware).
    must_change_password = models.BooleanField(_("must change the password"), default=False)

    history = HistoricalRecords(excluded_fields=["last_login", "password"])
    objects = PersonManager()

    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "username"]
        # Lists read people by name; a province's staff see most of them and stop after a page.
        indexes = [
            models.Index(fields=["name", "username"], name="person_by_name"),
            # People are found again by their phone (花名册导入).
            models.Index(fields=["phone"], name="person_by_phone"),
        ]

    def __str__(self):
        return self.name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("members:person-detail", kwargs={"pk": self.pk})

    def has_perm(self, perm, obj=None):
        """Django answers yes to everything a superuser asks. For the object permissions of the
        apps' ``rules.py`` the predicates answer instead (their scope parts already let a
        superuser everywhere), so the status of the object still counts (no "approve" on a draft)
        and what only a person in a role may do (the 组长 approves) stays theirs."""
        import rules

        if obj is not None and self.is_active and self.is_superuser and rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class TermQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current_q())


class MembershipQuerySet(TermQuerySet):
    def visible_to(self, user):
        return self.filter(group__in=scopes.visible_groups(user).values("pk"))

    def editable_by(self, user):
        return self.filter(group__in=scopes.managed_groups(user).values("pk"))


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
        return self.filter(organization__in=scopes.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        return self.filter(organization__in=scopes.managed_organizations(user).values("pk"))


class OrganizationAssignment(models.Model):
    """Staff manage, leaders read: an organisation and everything below it."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff (propaganda department / office)")
        LEADER = "leader", _("Leader (reads the organization and below)")
        # The office director (办公室主任) who approves the daily reading push of the groups of
        # the organisation and below; see members.notifications.daily_reading.
        APPROVER = "approver", _("Approver of the daily reading (office director)")
        # The three separated administrator roles (三员分立, 等保 2.0), each acting on the
        # organisation's subtree: accounts and organisations; security (unlocks, password
        # resets, robot hosts); the audit trail (read and export only).
        SYSTEM_ADMIN = "system_admin", _("System administrator")
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDITOR = "auditor", _("Audit administrator")

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

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})


ADMIN_ROLES = (
    OrganizationAssignment.Role.SYSTEM_ADMIN,
    OrganizationAssignment.Role.SECURITY_ADMIN,
    OrganizationAssignment.Role.AUDITOR,
)


def roster_upload_to(instance, filename):
    from studygroup.uploads import random_upload_path

    return random_upload_path("rosters", filename)


class RosterImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import is its importer's (it names the people it brought in and their links)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all() if user.is_superuser else self.filter(created_by=user)


class RosterImport(models.Model):
    """A roster file (花名册) staff uploaded: what its preview showed, and once applied, what it
    wrote and whom it brought in (who then activate their accounts)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Imported")

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=roster_upload_to, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    end_missing = models.BooleanField(_("end the seats the file does not list"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(_("preview"), default=dict)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_people = models.ManyToManyField(User, related_name="+", blank=True, verbose_name=_("people created"))

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("members:roster-import-detail", kwargs={"pk": self.pk})
