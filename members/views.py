from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView

from members import scoping, selectors, services
from members.filters import GroupFilter, PersonFilter
from members.forms import MembershipEndForm, MembershipStartForm, PersonCreateForm, PersonUpdateForm
from members.models import Membership, Organization, StudyGroup, User
from studygroup.forms import apply_validation_error
from studygroup.mixins import EDIT, ManagesSomethingMixin, ScopedObjectMixin, ScopedQuerysetMixin


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
            study_group=scoping.visible_groups(user).filter(organization=org).first(),
            can_manage=scoping.managed_organizations(user).filter(pk=org.pk).exists(),
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
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        include_past = self.request.GET.get("past") == "1"
        return super().get_context_data(
            memberships=selectors.group_memberships(self.object, include_past=include_past),
            include_past=include_past,
            can_manage=scoping.managed_groups(self.request.user).filter(pk=self.object.pk).exists(),
            **kwargs,
        )


class MembershipCreate(ScopedObjectMixin, FormView):
    """Seat a person in a group: staff of the group's organisation or above."""

    model = StudyGroup
    requires = EDIT
    form_class = MembershipStartForm
    template_name = "members/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.group = self.get_object()
        return super().dispatch(request, *args, **kwargs)

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
    requires = EDIT
    form_class = MembershipEndForm
    template_name = "members/membership_end.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.membership = self.get_object()
        return super().dispatch(request, *args, **kwargs)

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

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_add=scoping.managed_organizations(self.request.user).exists(), **kwargs
        )


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
            can_edit=scoping.managed_people(user).filter(pk=self.object.pk).exists(),
            **kwargs,
        )


class PersonCreate(ManagesSomethingMixin, FormView):
    form_class = PersonCreateForm
    template_name = "members/person_form.html"

    def get_form_kwargs(self):
        organizations = scoping.managed_organizations(self.request.user).order_by("path")
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


class PersonUpdate(ScopedObjectMixin, FormView):
    model = User
    requires = EDIT
    form_class = PersonUpdateForm
    template_name = "members/person_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        organizations = scoping.managed_organizations(self.request.user).order_by("path")
        return {**super().get_form_kwargs(), "organizations": organizations, "instance": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

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
