from django.urls import path

from members import views
from members.downloads import ROSTER_FILE
from studygroup.downloads import ScopedFileDownload

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
    path("roster/", views.RosterImportStart.as_view(), name="roster-import"),
    path("roster/template.xlsx", views.RosterTemplate.as_view(), name="roster-template"),
    path("roster/<int:pk>/", views.RosterImportDetail.as_view(), name="roster-import-detail"),
    path("roster/<int:pk>/file/", ScopedFileDownload.as_view(file=ROSTER_FILE.key), name="roster-import-file"),
    path("roster/<int:pk>/import/", views.RosterImportApply.as_view(), name="roster-import-apply"),
    path("roster/<int:pk>/activation-list/", views.RosterActivationList.as_view(), name="roster-activation-list"),
    path("activate/<str:token>/", views.AccountActivate.as_view(), name="account-activate"),
]
