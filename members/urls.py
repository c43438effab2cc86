from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("organizations/", views.OrganizationList.as_view(), name="organization-list"),
    path("organizations/<int:pk>/", views.OrganizationDetail.as_view(), name="organization-detail"),
    path("groups/", views.GroupList.as_view(), name="group-list"),
    path("groups/<int:pk>/", views.GroupDetail.as_view(), name="group-detail"),
    path("groups/<int:pk>/members/add/", views.MembershipCreate.as_view(), name="membership-create"),
    path("memberships/<int:pk>/end/", views.MembershipEnd.as_view(), name="membership-end"),
    path("people/", views.PersonList.as_view(), name="person-list"),
    path("people/add/", views.PersonCreate.as_view(), name="person-create"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", views.PersonUpdate.as_view(), name="person-update"),
    path("people/<int:pk>/deactivate/", views.PersonDeactivate.as_view(), name="person-deactivate"),
    path("people/<int:pk>/reactivate/", views.PersonReactivate.as_view(), name="person-reactivate"),
    path("people/<int:pk>/password-reset/", views.PersonPasswordReset.as_view(), name="person-password-reset"),
    path("people/<int:pk>/roles/add/", views.AssignmentGrant.as_view(), name="assignment-grant"),
    path("roles/<int:pk>/end/", views.AssignmentEnd.as_view(), name="assignment-end"),
    path("organizations/<int:pk>/add/", views.OrganizationCreate.as_view(), name="organization-create"),
    path("organizations/<int:pk>/edit/", views.OrganizationUpdate.as_view(), name="organization-update"),
    path("organizations/<int:pk>/group/add/", views.StudyGroupCreate.as_view(), name="group-create"),
    path("groups/<int:pk>/edit/", views.StudyGroupUpdate.as_view(), name="group-update"),
]

# Members' own work (members/work_views.py)
from members import work_views  # noqa: E402
from members.downloads import WORK_ATTACHMENT  # noqa: E402
from studygroup.downloads import ScopedFileDownload  # noqa: E402

urlpatterns += [
    path("my-study/", work_views.MyWork.as_view(), name="my-work"),
    path("work/", work_views.WorkList.as_view(), name="work-list"),
    path("work/search/", work_views.WorkSearch.as_view(), name="work-search"),
    path("work/new/<slug:kind>/", work_views.WorkCreate.as_view(), name="work-create"),
    path("work/<int:pk>/", work_views.WorkDetail.as_view(), name="work-detail"),
    path("work/<int:pk>/attachment/", ScopedFileDownload.as_view(file=WORK_ATTACHMENT.key), name="work-attachment"),
    path("work/<int:pk>/edit/", work_views.WorkUpdate.as_view(), name="work-update"),
    path("work/<int:pk>/submit/", work_views.WorkSubmit.as_view(), name="work-submit"),
    path("work/<int:pk>/withdraw/", work_views.WorkWithdraw.as_view(), name="work-withdraw"),
    path("work/<int:pk>/review/", work_views.WorkReview.as_view(), name="work-review"),
    path("work/<int:pk>/visits/add/", work_views.FieldVisitCreate.as_view(), name="field-visit-create"),
    path("groups/<int:pk>/review/", work_views.ReviewQueue.as_view(), name="review-queue"),
    path(
        "groups/<int:pk>/work/<int:year>/export.<str:fmt>",
        work_views.WorkExport.as_view(),
        name="work-export",
    ),
]

# Notifications, group robots and the daily reading (members/notification_views.py)
from members import notification_views as nv  # noqa: E402

urlpatterns += [
    path("notifications/", nv.NotificationList.as_view(), name="notification-list"),
    path("notifications/settings/", nv.NotificationPreferences.as_view(), name="notification-preferences"),
    path("notifications/read-all/", nv.NotificationMarkAllRead.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/open/", nv.NotificationOpen.as_view(), name="notification-open"),
    path("notifications/<int:pk>/read/", nv.NotificationMarkRead.as_view(), name="notification-read"),
    path("groups/<int:pk>/robots/", nv.GroupChannels.as_view(), name="group-channels"),
    path("groups/<int:pk>/robots/add/", nv.GroupChannelCreate.as_view(), name="group-channel-create"),
    path("robots/<int:pk>/edit/", nv.GroupChannelUpdate.as_view(), name="group-channel-update"),
    path("robots/<int:pk>/test/", nv.GroupChannelTest.as_view(), name="group-channel-test"),
    path("deliveries/<int:pk>/retry/", nv.DeliveryRetry.as_view(), name="delivery-retry"),
    path("robots/hosts/", nv.RobotHostList.as_view(), name="robot-host-list"),
    path("robots/hosts/<int:pk>/remove/", nv.RobotHostRemove.as_view(), name="robot-host-remove"),
    path("reading/", nv.DailyReadingList.as_view(), name="daily-reading-list"),
    path("reading/<int:pk>/", nv.DailyReadingDetail.as_view(), name="daily-reading-detail"),
    path("reading/<int:pk>/approve/", nv.DailyReadingApprove.as_view(), name="daily-reading-approve"),
    path("groups/<int:pk>/reading/add/", nv.DailyReadingItemCreate.as_view(), name="daily-reading-item-create"),
    path("reading/items/<int:pk>/approve/", nv.DailyReadingItemApprove.as_view(), name="daily-reading-item-approve"),
    path("reading/items/<int:pk>/withdraw/", nv.DailyReadingItemWithdraw.as_view(), name="daily-reading-item-withdraw"),
    path("reading/items/<int:pk>/", nv.DailyReadingItemDetail.as_view(), name="daily-reading-item-detail"),
    path("reading/items/<int:pk>/read/", nv.DailyReadingItemRead.as_view(), name="daily-reading-item-read"),
]
