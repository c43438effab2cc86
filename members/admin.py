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


# Notifications (issue 8) -------------------------------------------------------------------------
from members.models import (  # noqa: E402
    DailyReading,
    DailyReadingItem,
    Delivery,
    GroupChannel,
    Notification,
    NotificationPreference,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "occasion", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__name", "recipient__username"]
    raw_id_fields = ["recipient", "group"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["title", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["title", "key", "last_error"]
    raw_id_fields = ["notification", "group_channel"]


@admin.register(GroupChannel)
class GroupChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "group", "provider", "is_active"]
    list_filter = ["provider", "is_active"]
    autocomplete_fields = ["group"]
    exclude = ["secret"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
    raw_id_fields = ["user"]


class DailyReadingItemInline(admin.TabularInline):
    model = DailyReadingItem
    extra = 0
    fields = ["title", "source", "link", "approved_at", "withdrawn_at"]
    readonly_fields = ["approved_at", "withdrawn_at"]


@admin.register(DailyReading)
class DailyReadingAdmin(SimpleHistoryAdmin):
    list_display = ["group", "date", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "date"
    autocomplete_fields = ["group"]
    inlines = [DailyReadingItemInline]
