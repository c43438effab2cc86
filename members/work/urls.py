from django.urls import path

from members.work import online_views, record_views, views
from members.work.downloads import COMPILATION_FILE, WORK_ATTACHMENT
from studygroup.downloads import ScopedFileDownload

app_name = "work"

urlpatterns = [
    path("my-study/", views.MyWork.as_view(), name="my-work"),
    path("people/<int:pk>/study-record/", record_views.StudyRecordDetail.as_view(), name="study-record"),
    path("people/<int:pk>/study-record/pdf/", record_views.StudyRecordPdf.as_view(), name="study-record-pdf"),
    path("groups/<int:pk>/study-records.xlsx", record_views.GroupStudyRecordsExport.as_view(), name="study-records-export"),
    path("online-study/import/", online_views.OnlineStudyImportStart.as_view(), name="online-study-import"),
    path("online-study/import/<int:pk>/", online_views.OnlineStudyImportDetail.as_view(), name="online-study-import-detail"),
    path("online-study/import/<int:pk>/apply/", online_views.OnlineStudyImportApply.as_view(), name="online-study-import-apply"),
    path("work/", views.WorkList.as_view(), name="work-list"),
    path("work/search/", views.WorkSearch.as_view(), name="work-search"),
    path("work/new/<slug:kind>/", views.WorkCreate.as_view(), name="work-create"),
    path("work/<int:pk>/", views.WorkDetail.as_view(), name="work-detail"),
    path("work/<int:pk>/attachment/", ScopedFileDownload.as_view(file=WORK_ATTACHMENT.key), name="work-attachment"),
    path("work/<int:pk>/edit/", views.WorkUpdate.as_view(), name="work-update"),
    path("work/<int:pk>/submit/", views.WorkSubmit.as_view(), name="work-submit"),
    path("work/<int:pk>/withdraw/", views.WorkWithdraw.as_view(), name="work-withdraw"),
    path("work/<int:pk>/review/", views.WorkReview.as_view(), name="work-review"),
    path("work/<int:pk>/visits/add/", views.FieldVisitCreate.as_view(), name="field-visit-create"),
    path("groups/<int:pk>/review/", views.ReviewQueue.as_view(), name="review-queue"),
    path("compilations/<int:pk>/", views.CompilationStatus.as_view(), name="compilation-status"),
    path("compilations/<int:pk>/download/", ScopedFileDownload.as_view(file=COMPILATION_FILE.key), name="compilation-download"),
    path(
        "groups/<int:pk>/work/<int:year>/export.<str:fmt>",
        views.WorkExport.as_view(),
        name="work-export",
    ),
]
