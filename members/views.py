from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, FormView, ListView, View
from django_filters.views import FilterView

from members import activation, scoping, selectors, services
from members.filters import GroupFilter, PersonFilter
from members.forms import (
    AccountActivationForm,
    AssignmentEndForm,
    AssignmentGrantForm,
    MembershipEndForm,
    MembershipStartForm,
    OrganizationForm,
    PersonCreateForm,
    PersonUpdateForm,
    RosterImportForm,
    StudyGroupForm,
)
from members.models import Membership, Organization, OrganizationAssignment, RosterImport, StudyGroup, User, current_q
from studygroup.actions import ObjectActionView
from studygroup.forms import apply_validation_error
from studygroup.mixins import PermissionRequiredMixin, ScopedObjectMixin, ScopedQuerysetMixin


class OrganizationList(ScopedQuerysetMixin, ListView):
    model = Organization
    paginate_by = 100
    template_name = "members/organization_list.html"

    def get_queryset(self):
        return selectors.organization_tree(self.request.user)


class OrganizationDetail(ScopedObjectMixin, DetailView):
    model = Organization
    template_name = "members/organization_detail.html"

    def get_context_data(self, **kwargs):
        org = self.object
        user = self.request.user
        return super().get_context_data(
            child_groups=selectors.organization_child_groups(org, user),
            assignments=org.assignments.current().select_related("user"),
            ancestors=selectors.organization_ancestors(org, user),
            study_group=selectors.organization_group(org, user),
            **kwargs,
        )


class GroupList(ScopedQuerysetMixin, FilterView):
    model = StudyGroup
    filterset_class = GroupFilter
    paginate_by = 25
    template_name = "members/group_list.html"

    def get_queryset(self):
        return selectors.groups_with_counts(super().get_queryset())


class GroupDetail(ScopedObjectMixin, DetailView):
    model = StudyGroup
    template_name = "members/group_detail.html"

    def get_queryset(self):
        # A 系统管理员 opens the groups it administers too (their records stay hidden from it).
        return self.scoped_manager().visible_or_administered_by(self.request.user).select_related("organization")

    def get_context_data(self, **kwargs):
        include_past = self.request.GET.get("past") == "1"
        return super().get_context_data(
            memberships=selectors.group_memberships(self.object, include_past=include_past),
            include_past=include_past,
            **kwargs,
        )


class MembershipCreate(ScopedObjectMixin, FormView):
    """Seat a person in a group: staff of the group's organisation or above."""

    model = StudyGroup
    permission_required = "members.seat_member"
    form_class = MembershipStartForm
    template_name = "members/membership_form.html"

    object_name = "group"

    def get_form_kwargs(self):
        people = selectors.people_to_seat(group=self.group, by=self.request.user)
        return {**super().get_form_kwargs(), "people": people}

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, **kwargs)

    def form_valid(self, form):
        try:
            membership = services.membership_start(
                by=self.request.user,
                group=self.group,
                person=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                started_on=form.cleaned_data["started_on"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(person)s joined the group.") % {"person": membership.user})
        return redirect(self.group)


class MembershipEnd(ScopedObjectMixin, FormView):
    model = Membership
    permission_required = "members.end_membership"
    form_class = MembershipEndForm
    template_name = "members/membership_end.html"

    object_name = "membership"

    def get_queryset(self):
        return super().get_queryset().select_related("group", "user")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "membership": self.membership}

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, **kwargs)

    def form_valid(self, form):
        try:
            services.membership_end(
                by=self.request.user, membership=self.membership, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The membership has ended; its records stay."))
        return redirect(self.membership.group)


class PersonList(ScopedQuerysetMixin, FilterView):
    model = User
    filterset_class = PersonFilter
    paginate_by = 25
    template_name = "members/person_list.html"

    def get_queryset(self):
        return selectors.people_with_groups(super().get_queryset())

    def get_filterset_kwargs(self, filterset_class):
        user = self.request.user
        return {
            **super().get_filterset_kwargs(filterset_class),
            "organizations": scoping.visible_organizations(user).order_by("path"),
            "groups": scoping.visible_groups(user).select_related("organization"),
        }



class PersonDetail(ScopedObjectMixin, DetailView):
    model = User
    template_name = "members/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = (
            self.object.memberships.filter(group__in=scoping.visible_groups(user).values("pk"))
            .select_related("group")
            .order_by("ended_on", "group__organization__path")
        )
        return super().get_context_data(
            memberships=memberships,
            roles=selectors.person_roles(self.object),
            **kwargs,
        )


class PersonCreate(PermissionRequiredMixin, FormView):
    permission_required = "members.add_person"
    form_class = PersonCreateForm
    template_name = "members/person_form.html"

    def get_form_kwargs(self):
        organizations = scoping.account_organizations(self.request.user).order_by("path")
        return {**super().get_form_kwargs(), "organizations": organizations}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            person = services.person_create(
                by=self.request.user,
                username=data["username"],
                name=data["name"],
                password=data["password2"],
                organization=data["organization"],
                phone=data["phone"],
                position=data["position"],
                email=data["email"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(person)s was added.") % {"person": person})
        return redirect(person)


class PersonObjectMixin(ScopedObjectMixin):
    """One person the user sees (else 404), then the view's permission on them (else 403)."""

    model = User

    object_name = "person"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


class PersonUpdate(PersonObjectMixin, FormView):
    permission_required = "members.edit_person"
    form_class = PersonUpdateForm
    template_name = "members/person_form.html"

    def get_form_kwargs(self):
        organizations = scoping.account_organizations(self.request.user).order_by("path")
        return {**super().get_form_kwargs(), "organizations": organizations, "instance": self.person}

    def form_valid(self, form):
        try:
            services.person_update(
                by=self.request.user,
                person=self.person,
                **{field: form.cleaned_data[field] for field in form.Meta.fields},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.person)


class PersonConfirmAction(ObjectActionView):
    """A confirmation page whose POST runs the action on the person."""

    model = User
    context_object_name = "person"
    summary_template = "members/_person_summary.html"
    button_class = "btn-danger"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    @property
    def person(self):
        return self.object


class PersonDeactivate(PersonConfirmAction):
    permission_required = "members.deactivate_person"
    title = gettext_lazy("Deactivate the account")
    question = gettext_lazy(
        "The person can no longer log in. Nothing of theirs is deleted; the account can be reactivated."
    )
    button = gettext_lazy("Deactivate")

    def perform(self, form):
        services.person_set_active(by=self.request.user, person=self.person, active=False, request=self.request)

    def get_success_message(self, result):
        return _("The account of %(person)s is deactivated.") % {"person": self.person}


class PersonReactivate(PersonConfirmAction):
    permission_required = "members.reactivate_person"
    title = gettext_lazy("Reactivate the account")
    question = gettext_lazy("The person can log in again with their password.")
    button = gettext_lazy("Reactivate")
    button_class = "btn-party"

    def perform(self, form):
        services.person_set_active(by=self.request.user, person=self.person, active=True, request=self.request)

    def get_success_message(self, result):
        return _("The account of %(person)s is active again.") % {"person": self.person}


@method_decorator(never_cache, name="dispatch")
class PersonPasswordReset(PersonConfirmAction):
    """安全管理员 only: a temporary password, shown once here and nowhere else; the person must
    choose a new one at the next login."""

    permission_required = "members.reset_password"
    title = gettext_lazy("Reset the password")
    question = gettext_lazy(
        "A temporary password is shown once on the next page. Hand it to the person in a safe way; "
        "they must choose a new password when they next log in."
    )
    button = gettext_lazy("Reset the password")

    def perform(self, form):
        return services.person_password_reset(by=self.request.user, person=self.person, request=self.request)

    def success_response(self, password):
        # Shown once, on this response: never through a redirect or a message that is stored.
        return self.response_class(
            request=self.request,
            template=["members/person_password_reset_done.html"],
            context=self.get_context_data(temporary_password=password),
            using=self.template_engine,
        )


class AssignmentGrant(PersonObjectMixin, FormView):
    """系统管理员: grant a role (staff, leader, approver or an administrator role) to a person."""

    permission_required = "members.grant_role"
    form_class = AssignmentGrantForm
    template_name = "members/assignment_form.html"

    def get_form_kwargs(self):
        organizations = scoping.grantable_organizations(self.request.user).order_by("path")
        return {**super().get_form_kwargs(), "organizations": organizations}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            assignment = services.assignment_grant(
                by=self.request.user, person=self.person, organization=data["organization"], role=data["role"],
                started_on=data["started_on"], request=self.request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s is now %(role)s of %(organization)s.")
            % {"person": self.person, "role": assignment.get_role_display(), "organization": assignment.organization},
        )
        return redirect(self.person)


class AssignmentEnd(ScopedObjectMixin, FormView):
    model = OrganizationAssignment
    permission_required = "members.end_role"
    form_class = AssignmentEndForm
    template_name = "members/assignment_end.html"

    object_name = "assignment"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "organization")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "assignment": self.assignment}

    def get_context_data(self, **kwargs):
        return super().get_context_data(assignment=self.assignment, **kwargs)

    def form_valid(self, form):
        try:
            services.assignment_end(
                by=self.request.user, assignment=self.assignment, ended_on=form.cleaned_data["ended_on"],
                request=self.request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The role has ended."))
        return redirect(self.assignment.user)


class OrganizationCreate(ScopedObjectMixin, FormView):
    """系统管理员: a new organisation below one it administers."""

    model = Organization
    permission_required = "members.add_organization"
    form_class = OrganizationForm
    template_name = "members/organization_form.html"

    object_name = "parent"

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)

    def form_valid(self, form):
        try:
            organization = services.organization_create(
                by=self.request.user, parent=self.parent, request=self.request,
                **{name: form.cleaned_data[name] for name in services.ORGANIZATION_FIELDS},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(organization)s was added.") % {"organization": organization})
        return redirect(organization)


class OrganizationUpdate(ScopedObjectMixin, FormView):
    model = Organization
    permission_required = "members.change_organization"
    form_class = OrganizationForm
    template_name = "members/organization_form.html"

    object_name = "organization"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.organization}

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.organization, **kwargs)

    def form_valid(self, form):
        organization = self.organization
        try:
            services.organization_update(
                by=self.request.user, organization=organization, request=self.request,
                **{name: form.cleaned_data[name] for name in services.ORGANIZATION_FIELDS},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(organization)


class StudyGroupCreate(ScopedObjectMixin, FormView):
    """系统管理员: the study group of an organisation that has none."""

    model = Organization
    permission_required = "members.add_study_group"
    form_class = StudyGroupForm
    template_name = "members/group_form.html"

    object_name = "organization"

    def get_initial(self):
        return {"name": _("%(organization)s Theory Study Center Group") % {"organization": self.organization.name},
                "is_active": True}

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.organization, **kwargs)

    def form_valid(self, form):
        try:
            group = services.study_group_create(
                by=self.request.user, organization=self.organization, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(group)s was added.") % {"group": group})
        return redirect(group)


class StudyGroupUpdate(ScopedObjectMixin, FormView):
    model = StudyGroup
    permission_required = "members.change_study_group"
    form_class = StudyGroupForm
    template_name = "members/group_form.html"

    object_name = "group"

    def get_queryset(self):
        return self.scoped_manager().visible_or_administered_by(self.request.user).select_related("organization")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.group}

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, organization=self.group.organization, **kwargs)

    def form_valid(self, form):
        try:
            services.study_group_update(
                by=self.request.user, group=self.group, name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.group)


class PasswordChange(auth_views.PasswordChangeView):
    """The person's own password change; it also ends a change forced by a reset."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed_by_self(person=form.user)
        return response


# --- 花名册导入 (roster import) -----------------------------------------------------------------

ROSTER_ROWS_PER_PAGE = 100


class RosterImportStart(PermissionRequiredMixin, FormView):
    """Upload a roster: it is read and planned (nothing written) and its preview opens."""

    permission_required = "members.import_roster"
    form_class = RosterImportForm
    template_name = "members/roster_import.html"

    def get_context_data(self, **kwargs):
        recent = RosterImport.objects.visible_to(self.request.user).only(
            "pk", "original_name", "created_at", "status", "applied_at",
        )[:10]
        return super().get_context_data(recent=recent, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            record, _plan = services.roster_import_preview(
                by=self.request.user, data=upload.read(), filename=upload.name,
                end_missing=form.cleaned_data["end_missing"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(record)


class RosterTemplate(PermissionRequiredMixin, View):
    permission_required = "members.import_roster"

    def get(self, request):
        from members.roster import template_workbook
        from studygroup.documents import xlsx_response

        return xlsx_response(template_workbook(), "花名册导入模板.xlsx")


class RosterImportDetail(ScopedObjectMixin, DetailView):
    """The preview (before staff confirm) or the result (after): counts, every error with its
    sheet, row and column, and the rows, filtered by what happens to them, a page at a time."""

    model = RosterImport
    permission_required = "members.view_roster_import"
    template_name = "members/roster_import_detail.html"
    ACTIONS = {"create": gettext_lazy("Created"), "update": gettext_lazy("Changed"),
               "unchanged": gettext_lazy("Left as it is"), "error": gettext_lazy("Left out (error)")}
    FIELD_LABELS = {
        "name": gettext_lazy("Name"), "short_name": gettext_lazy("Short name"), "phone": gettext_lazy("Phone"),
        "position": gettext_lazy("Position"), "email": gettext_lazy("E-mail"), "organization": gettext_lazy("Works in"),
        "username": gettext_lazy("Account"), "role": gettext_lazy("Role in the group"), "kind": gettext_lazy("Kind"),
        "level": gettext_lazy("Level"), "parent": gettext_lazy("Parent organization"),
    }

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        record = self.object
        summary = record.result if record.status == RosterImport.Status.APPLIED else record.preview
        action = self.request.GET.get("action", "")
        rows = [row for row in summary.get("rows", []) if not action or row["action"] == action]
        page = Paginator(rows, ROSTER_ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        labels = self.FIELD_LABELS
        shown = [
            {**row, "changes": [(labels.get(key, key), old, new) for key, (old, new) in row.get("changes", {}).items()]}
            for row in page.object_list
        ]
        kinds = (("organizations", _("Units")), ("groups", _("Study groups")), ("people", _("People")), ("memberships", _("Seats")))
        counts = [
            {"label": label, **{name: summary.get(name, {}).get(kind, 0) for name in ("created", "updated", "unchanged")}}
            for kind, label in kinds
        ]
        return super().get_context_data(
            summary=summary, counts=counts, page_obj=page, paginator=page.paginator,
            is_paginated=page.has_other_pages(), rows=shown, action=action,
            actions=self.ACTIONS, errors=summary.get("errors", []), to_end=summary.get("to_end", []),
            awaiting=activation.awaiting(record.created_people.all()).count()
            if record.status == RosterImport.Status.APPLIED else 0,
            **kwargs,
        )


class RosterImportApply(ObjectActionView):
    model = RosterImport
    permission_required = "members.apply_roster_import"
    title = gettext_lazy("Import the roster")
    question = gettext_lazy(
        "Write what the preview shows, in one go? Rows with errors are left out; the file is read "
        "again now, so changes made since the preview are taken into account."
    )
    button = gettext_lazy("Import")

    def perform(self, form):
        record, _plan = services.roster_import_apply(by=self.request.user, roster_import=self.object)
        return record

    def get_success_message(self, record):
        people = record.created_people.count()
        return _("The roster was imported. %(people)s new people can now activate their accounts.") % {"people": people}


class RosterActivationList(ScopedObjectMixin, DetailView):
    """The printed list of activation links (one slip per new person who has not activated yet,
    with a QR code), for staff to hand out in person. Printing again gives fresh links."""

    model = RosterImport
    permission_required = "members.print_activation_list"
    template_name = "members/roster_activation_list.html"
    paginate_by = 200

    def get_context_data(self, **kwargs):
        import segno
        from django.core.paginator import Paginator

        # Only those the staff may still edit: a person since given a role, moved out of the
        # staff's tree, or a staff member since moved away, gets no fresh link here.
        mine = self.object.created_people.filter(pk__in=scoping.editable_people(self.request.user))
        people = activation.awaiting(mine).exclude(pk__in=OrganizationAssignment.objects.filter(current_q()).values("user")).select_related(
            "organization",
        ).order_by("organization__path", "name", "pk")
        page = Paginator(people, self.paginate_by).get_page(self.request.GET.get("page"))
        slips = []
        for person in page.object_list:
            url = activation.activation_url(person)
            slips.append({"person": person, "url": url, "qr": segno.make(url, error="m").svg_inline(scale=3, border=2)})
        expires = timezone.localdate() + timedelta(days=settings.ACCOUNT_ACTIVATION_DAYS)
        return super().get_context_data(
            slips=slips, page_obj=page, paginator=page.paginator, is_paginated=page.has_other_pages(),
            expires=expires, **kwargs,
        )


@method_decorator([login_not_required, never_cache, sensitive_post_parameters("new_password1", "new_password2")], name="dispatch")
class AccountActivate(FormView):
    """A new person chooses their first password through their activation link."""

    form_class = AccountActivationForm
    template_name = "members/account_activate.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.person = activation.person_for_token(kwargs["token"])
        except activation.ActivationExpired:
            return self.refused(_("This activation link has expired. Ask your organization's staff for a new one."))
        except activation.ActivationInvalid:
            return self.refused(_(
                "This activation link is not valid: it was used already, or it was copied incompletely. "
                "If you have activated your account, log in; otherwise ask your organization's staff for a new link."
            ))
        return super().dispatch(request, *args, **kwargs)

    def refused(self, message):
        from django.template.response import TemplateResponse

        return TemplateResponse(self.request, "members/account_activate.html", {"refused": message}, status=410)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            services.account_activate(person=self.person, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your account is active. Log in with the account %(username)s and your new password.") % {
            "username": self.person.username,
        })
        return redirect("login")
