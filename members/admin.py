from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "short_name", "kind", "level"]
    list_filter = ["kind", "level"]
    search_fields = ["name", "short_name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "started_on", "ended_on"]


@admin.register(StudyGroup)
class StudyGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "is_active", "created_at"]
    list_filter = ["is_active", "organization__level", "organization__kind"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "group", "role", "started_on", "ended_on"]
    list_filter = ["role", ("ended_on", admin.EmptyFieldListFilter), "group__organization__level"]
    search_fields = ["user__name", "user__username", "group__name"]
    autocomplete_fields = ["user", "group"]
    date_hierarchy = "started_on"


@admin.register(OrganizationAssignment)
class OrganizationAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "started_on", "ended_on"]
    list_filter = ["role", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["user__name", "user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


class AssignmentInline(admin.TabularInline):
    model = OrganizationAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "name", "organization", "position", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "organization__level"]
    search_fields = ["username", "name", "phone", "position"]
    ordering = ["username"]
    autocomplete_fields = ["organization"]
    inlines = [AssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "organization", "position", "phone", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "organization", "password1", "password2")}),
    )
