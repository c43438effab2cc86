from django.urls import path

from members.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.NotificationList.as_view(), name="notification-list"),
    path("notifications/settings/", views.NotificationPreferences.as_view(), name="notification-preferences"),
    path("notifications/read-all/", views.NotificationMarkAllRead.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/open/", views.NotificationOpen.as_view(), name="notification-open"),
    path("notifications/<int:pk>/read/", views.NotificationMarkRead.as_view(), name="notification-read"),
    path("groups/<int:pk>/robots/", views.GroupChannels.as_view(), name="group-channels"),
    path("groups/<int:pk>/robots/add/", views.GroupChannelCreate.as_view(), name="group-channel-create"),
    path("robots/<int:pk>/edit/", views.GroupChannelUpdate.as_view(), name="group-channel-update"),
    path("robots/<int:pk>/test/", views.GroupChannelTest.as_view(), name="group-channel-test"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetry.as_view(), name="delivery-retry"),
    path("robots/hosts/", views.RobotHostList.as_view(), name="robot-host-list"),
    path("robots/hosts/<int:pk>/remove/", views.RobotHostRemove.as_view(), name="robot-host-remove"),
    path("reading/", views.DailyReadingList.as_view(), name="daily-reading-list"),
    path("reading/<int:pk>/", views.DailyReadingDetail.as_view(), name="daily-reading-detail"),
    path("reading/<int:pk>/approve/", views.DailyReadingApprove.as_view(), name="daily-reading-approve"),
    path("groups/<int:pk>/reading/add/", views.DailyReadingItemCreate.as_view(), name="daily-reading-item-create"),
    path("reading/items/<int:pk>/approve/", views.DailyReadingItemApprove.as_view(), name="daily-reading-item-approve"),
    path("reading/items/<int:pk>/withdraw/", views.DailyReadingItemWithdraw.as_view(), name="daily-reading-item-withdraw"),
    path("reading/items/<int:pk>/", views.DailyReadingItemDetail.as_view(), name="daily-reading-item-detail"),
    path("reading/items/<int:pk>/read/", views.DailyReadingItemRead.as_view(), name="daily-reading-item-read"),
]
