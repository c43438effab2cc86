from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.notifications.models import (
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
