"""Writes on organisations, groups, people and role assignments. Each checks the permission
(``members/rules.py``) before it writes, validates, runs in a transaction and records who did it
(django-simple-history picks the acting user up from ``_history_user``; role grants and ends,
password resets and (de)activations also go to the audit trail)."""

import secrets
import string
from datetime import date

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User
from members.signals import person_contact_changed
from studygroup.mixins import require_perm
from studygroup.services import import_claim, import_finish, save_as, stamp

# What the edit form may change; ``is_active`` is never among them (deactivation is its own
# confirmed action), nor anything that gives power (roles are assignments, granted apart).
PERSON_FIELDS = ("name", "organization", "position", "phone", "email")
CONTACT_FIELDS = ("email", "phone")


@transaction.atomic
def person_create(
    *,
    by: User,
    username: str,
    name: str,
    password: str,
    organization: Organization | None,
    phone: str = "",
    position: str = "",
    email: str = "",
) -> User:
    require_perm(by, "members.add_person")
    if organization is None or not scoping.account_organizations(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    person = User(
        username=username,
        name=name,
        organization=organization,
        phone=phone,
        position=position,
        email=email,
    )
    person.set_password(password)
    save_as(person, by=by)
    return person


@transaction.atomic
def person_update(*, by: User, person: User, **fields) -> User:
    """Change a person's account data. A change of e-mail or phone by someone else is announced
    to the person (``members.signals.person_contact_changed``, after commit)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update does not change {sorted(unknown)}")
    require_perm(by, "members.edit_person", person)
    organization = fields.get("organization", person.organization)
    if organization is None or not scoping.account_organizations(by).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("You can only place people in the organizations you manage.")})
    person = User.objects.select_for_update().get(pk=person.pk)
    before = {name: getattr(person, name) for name in CONTACT_FIELDS}
    for name, value in fields.items():
        setattr(person, name, value)
    save_as(person, by=by)
    changes = {
        name: (before[name], getattr(person, name))
        for name in CONTACT_FIELDS
        if (before[name] or "") != (getattr(person, name) or "")
    }
    if changes and by.pk != person.pk:
        transaction.on_commit(
            lambda: person_contact_changed.send(sender=User, person=person, by=by, changes=changes)
        )
    return person


@transaction.atomic
def person_set_active(*, by: User, person: User, active: bool, request=None) -> User:
    """Deactivate (the person can no longer log in; nothing of theirs is deleted) or reactivate."""
    require_perm(by, "members.reactivate_person" if active else "members.deactivate_person", person)
    person = User.objects.select_for_update().get(pk=person.pk)
    person.is_active = active
    stamp(person, by).save(update_fields=["is_active"])
    return person


TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password(person: User | None = None) -> str:
    """A random password that passes the password rules (upper, lower, digits, symbols), without
    the characters people misread when it is read out or copied by hand (I l 1 O o 0)."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1Oo0") + "@#%+=?"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        try:
            password_validation.validate_password(candidate, person)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def person_password_reset(*, by: User, person: User, request=None) -> str:
    """安全管理员 sets a temporary password, returned to be shown once; the person must choose a
    new one at the next login."""
    require_perm(by, "members.reset_password", person)
    person = User.objects.select_for_update().get(pk=person.pk)
    password = temporary_password(person)
    person.set_password(password)
    person.must_change_password = True
    stamp(person, by).save(update_fields=["password", "must_change_password"])
    return password


def password_changed_by_self(*, person: User) -> None:
    """The person chose a new password: the forced change is done."""
    if person.must_change_password:
        person.must_change_password = False
        person.save(update_fields=["must_change_password"])


@transaction.atomic
def membership_start(
    *,
    by: User,
    group: StudyGroup,
    person: User,
    role: str,
    started_on: date | None = None,
) -> Membership:
    require_perm(by, "members.seat_member", group)
    if not scoping.managed_people(by).filter(pk=person.pk).exists():
        raise ValidationError({"user": _("You can only add people of the organizations you manage.")})
    if group.memberships.current().filter(user=person).exists():
        raise ValidationError({"user": _("This person is already a member of this group.")})
    membership = Membership(
        group=group, user=person, role=role, started_on=started_on or timezone.localdate()
    )
    save_as(membership, by=by)
    scoping.forget_facts(membership.user)
    return membership


@transaction.atomic
def membership_end(*, by: User, membership: Membership, ended_on: date | None = None) -> Membership:
    """End a term. The row stays: a past member's records stay theirs."""
    if not scoping.managed_groups(by).filter(pk=membership.group_id).exists():
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_on is not None:
        raise ValidationError(_("This membership has already ended."))
    membership.ended_on = ended_on or timezone.localdate()
    save_as(membership, by=by)
    scoping.forget_facts(membership.user)
    return membership


@transaction.atomic
def assignment_grant(
    *,
    by: User,
    person: User,
    organization: Organization,
    role: str,
    started_on: date | None = None,
    request=None,
) -> OrganizationAssignment:
    """Grant a role (staff, leader, approver, or one of the three administrator roles) at an
    organisation. Only a 系统管理员 (or superuser), strictly below its own organisation, to a
    person of its tree who is not more powerful, never to itself."""
    require_perm(by, "members.grant_role", person)
    if not scoping.grantable_organizations(by).filter(pk=organization.pk).exists():
        raise ValidationError(
            {"organization": _("You can grant roles only in the organizations below your own.")}
        )
    if OrganizationAssignment.objects.current().filter(user=person, organization=organization, role=role).exists():
        raise ValidationError({"role": _("This person already holds this role here.")})
    assignment = OrganizationAssignment(
        user=person,
        organization=organization,
        role=role,
        started_on=started_on or timezone.localdate(),
    )
    save_as(assignment, by=by)
    scoping.forget_facts(assignment.user)
    return assignment


@transaction.atomic
def assignment_end(
    *, by: User, assignment: OrganizationAssignment, ended_on: date | None = None, request=None
) -> OrganizationAssignment:
    require_perm(by, "members.end_role", assignment)
    assignment = OrganizationAssignment.objects.select_for_update().select_related("user", "organization").get(
        pk=assignment.pk
    )
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    assignment.ended_on = ended_on
    save_as(assignment, by=by)
    scoping.forget_facts(assignment.user)
    return assignment


ORGANIZATION_FIELDS = ("name", "short_name", "kind", "level")


@transaction.atomic
def organization_create(*, by: User, parent: Organization, request=None, **fields) -> Organization:
    require_perm(by, "members.add_organization", parent)
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    parent = Organization.objects.get(pk=parent.pk)  # treebeard needs the stored numchild
    organization = Organization(**fields)
    organization.full_clean(exclude=["path", "depth", "numchild"])
    stamp(organization, by)
    organization = Organization.objects.add_child(parent, instance=organization)
    return organization


@transaction.atomic
def organization_update(*, by: User, organization: Organization, request=None, **fields) -> Organization:
    require_perm(by, "members.change_organization", organization)
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organization, name, value)
    save_as(organization, by=by)
    return organization


@transaction.atomic
def study_group_create(*, by: User, organization: Organization, name: str = "") -> StudyGroup:
    require_perm(by, "members.add_study_group", organization)
    group = StudyGroup(
        organization=organization,
        name=name or _("%(organization)s Theory Study Center Group") % {"organization": organization.name},
    )
    save_as(group, by=by)
    return group


@transaction.atomic
def study_group_update(*, by: User, group: StudyGroup, name: str, is_active: bool) -> StudyGroup:
    require_perm(by, "members.change_study_group", group)
    group.name = name
    group.is_active = is_active
    save_as(group, by=by)
    return group


# --- 花名册导入 (roster import) and account activation ----------------------------------------


def roster_import_preview(*, by: User, data: bytes, filename: str, end_missing: bool = False, save: bool = True):
    """Read and plan a roster as ``by`` (writing none of its rows). With ``save`` the file and its
    preview are kept as a ``RosterImport`` for staff to confirm; returns (import or None, plan).
    A file that cannot be read as a roster raises ``ValidationError`` with the reason."""
    import hashlib

    from django.core.files.base import ContentFile

    from members import roster
    from members.models import RosterImport

    require_perm(by, "members.import_roster")
    try:
        plan = roster.plan_roster(roster.read_roster(data, filename), by=by, end_missing=end_missing)
    except roster.RosterError as error:
        raise ValidationError({"file": str(error)}) from error
    if not save:
        return None, plan
    record = RosterImport(
        created_by=by, original_name=filename[:200], sha256=hashlib.sha256(data).hexdigest(),
        end_missing=end_missing, preview=roster_preview_json(plan),
    )
    record.file.save(filename, ContentFile(data), save=False)
    record.save()
    return record, plan


def roster_preview_json(plan) -> dict:
    """What the preview page shows (kept with the import: the page never re-reads the file)."""
    return {
        **plan.as_json(),
        "rows": [outcome.as_dict() for outcome in plan.outcomes],
        "to_end": [
            {"group": str(seat.group), "person": str(seat.user), "role": seat.get_role_display()}
            for seat in plan.memberships_to_end
        ],
    }


@transaction.atomic
def roster_import_apply(*, by: User, roster_import):
    """Write a previewed roster in one transaction. The file is planned again first (the data may
    have changed since the preview: what is applied is what the file means now, and the import
    keeps that as its result). New people get an activation link: by e-mail when they have an
    address (after commit, by the worker), else on the printed list."""
    from members import roster
    from members.models import RosterImport
    from members.signals import audit_event, people_imported

    require_perm(by, "members.apply_roster_import", roster_import)
    record, data = import_claim(RosterImport, roster_import.pk, refused=_("This roster was imported already."))
    plan = roster.plan_roster(roster.read_roster(data, record.original_name), by=by, end_missing=record.end_missing)
    written = roster.apply_roster(plan, by=by)
    import_finish(record, roster_preview_json(plan))
    record.created_people.set(written["people"])
    counts = plan.counts()
    audit_event.send(
        sender=RosterImport, action="create", actor=by, obj=record, organization=by.organization,
        detail=_("Roster %(file)s imported: %(people)s new people, %(seats)s new seats, %(errors)s rows with errors left out.") % {
            "file": record.original_name, "people": counts["created"]["people"],
            "seats": counts["created"]["memberships"], "errors": len({(p.sheet, p.row) for p in plan.problems}),
        },
    )
    for person, changes in written["contact_changes"]:
        # As a change in the form would: the person hears of it, at the old address too.
        transaction.on_commit(
            lambda person=person, changes=changes: person_contact_changed.send(sender=User, person=person, by=by, changes=changes)
        )
    people = list(written["people"])
    if people:
        from members.tasks import send_activation_emails

        transaction.on_commit(lambda: send_activation_emails.delay(person_ids=people))
        transaction.on_commit(lambda: people_imported.send(sender=RosterImport, people=people, by=by))
    return record, plan


@transaction.atomic
def account_activate(*, person: User, password: str) -> User:
    """The person chose their first password through their activation link."""
    from members.signals import audit_event

    person = User.objects.select_for_update().get(pk=person.pk)
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.must_change_password = False
    person.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_event.send(
        sender=User, action="password_change", actor=person, obj=person, organization=person.organization,
        detail=_("Account activated through the activation link."),
    )
    return person
