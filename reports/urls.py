from django.urls import path

from reports import views
from reports.downloads import EVIDENCE_FILE
from studygroup.downloads import ScopedFileDownload

app_name = "reports"

urlpatterns = [
    path("", views.Dashboard.as_view(), name="dashboard"),
    path("builds/<int:pk>/", views.BuildStatus.as_view(), name="build-status"),
    # half-year reviews
    path("reviews/", views.ReviewList.as_view(), name="review-list"),
    path("reviews/new/", views.ReviewCreate.as_view(), name="review-create"),
    path("reviews/<int:pk>/", views.ReviewDetail.as_view(), name="review-detail"),
    path("reviews/<int:pk>/edit/", views.ReviewUpdate.as_view(), name="review-update"),
    path("reviews/<int:pk>/submit/", views.ReviewSubmit.as_view(), name="review-submit"),
    path("reviews/<int:pk>/read/", views.ReviewRead.as_view(), name="review-read"),
    path("reviews/<int:pk>/return/", views.ReviewReturn.as_view(), name="review-return"),
    path("reviews/<int:pk>/pdf/", views.ReviewPdf.as_view(), name="review-pdf"),
    path("reviews/<int:pk>/docx/", views.ReviewDocx.as_view(), name="review-docx"),
    path("reviews/<int:pk>/build/", views.ReviewBuild.as_view(), name="review-build"),
    # bulletins
    path("bulletins/", views.BulletinList.as_view(), name="bulletin-list"),
    path("bulletins/new/", views.BulletinCreate.as_view(), name="bulletin-create"),
    path("bulletins/<int:pk>/", views.BulletinDetail.as_view(), name="bulletin-detail"),
    path("bulletins/<int:pk>/opened/", views.BulletinOpened.as_view(), name="bulletin-opened"),
    path("bulletins/<int:pk>/edit/", views.BulletinUpdate.as_view(), name="bulletin-update"),
    path("bulletins/<int:pk>/issue/", views.BulletinIssue.as_view(), name="bulletin-issue"),
    path("bulletins/<int:pk>/pdf/", views.BulletinPdf.as_view(), name="bulletin-pdf"),
    path("bulletins/<int:pk>/docx/", views.BulletinDocx.as_view(), name="bulletin-docx"),
    path("bulletins/<int:pk>/build/", views.BulletinBuild.as_view(), name="bulletin-build"),
    # inspections and rectification
    path("inspections/", views.InspectionList.as_view(), name="inspection-list"),
    path("inspections/new/", views.InspectionCreate.as_view(), name="inspection-create"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/edit/", views.InspectionUpdate.as_view(), name="inspection-update"),
    path("inspections/<int:pk>/items/new/", views.ItemCreate.as_view(), name="item-create"),
    path("observation-points/<int:pk>/track/", views.PointItemCreate.as_view(), name="point-item-create"),
    path("rectification/", views.ItemList.as_view(), name="item-list"),
    path("rectification/<int:pk>/", views.ItemDetail.as_view(), name="item-detail"),
    path("rectification/<int:pk>/start/", views.ItemAction.as_view(action="start"), name="item-start"),
    path("rectification/<int:pk>/report/", views.ItemAction.as_view(action="report"), name="item-report"),
    path("rectification/<int:pk>/confirm/", views.ItemAction.as_view(action="confirm"), name="item-confirm"),
    path("rectification/<int:pk>/reopen/", views.ItemAction.as_view(action="reopen"), name="item-reopen"),
    path("evidence/<int:pk>/", ScopedFileDownload.as_view(file=EVIDENCE_FILE.key), name="evidence-download"),
    # 述学
    path("accounts/", views.AccountList.as_view(), name="account-list"),
    path("accounts/new/", views.AccountCreate.as_view(), name="account-create"),
    path("accounts/<int:pk>/", views.AccountDetail.as_view(), name="account-detail"),
    path("accounts/<int:pk>/edit/", views.AccountUpdate.as_view(), name="account-update"),
    path("accounts/<int:pk>/submit/", views.AccountSubmit.as_view(), name="account-submit"),
    path("accounts/<int:pk>/comment/", views.AccountComment.as_view(), name="account-comment"),
    path("accounts/<int:pk>/pdf/", views.AccountPdf.as_view(), name="account-pdf"),
    path("accounts/<int:pk>/docx/", views.AccountDocx.as_view(), name="account-docx"),
    path("accounts/<int:pk>/build/", views.AccountBuild.as_view(), name="account-build"),
]
