from django.urls import path

from members.work import online_views, record_views, theory_views, views
from members.work.downloads import COMPILATION_FILE, ONLINE_STUDY_FILE, WORK_ATTACHMENT
from studygroup.downloads import ScopedFileDownload

app_name = "work"

urlpatterns = [
    path("my-study/", views.MyWork.as_view(), name="my-work"),
    path("people/<int:pk>/study-record/", record_views.StudyRecordDetail.as_view(), name="study-record"),
    path("people/<int:pk>/study-record/pdf/", record_views.StudyRecordPdf.as_view(), name="study-record-pdf"),
    path("groups/<int:pk>/study-records.xlsx", record_views.GroupStudyRecordsExport.as_view(), name="study-records-export"),
    path("tests/", theory_views.TheoryTestList.as_view(), name="theory-test-list"),
    path("tests/new/", theory_views.TheoryTestCreate.as_view(), name="theory-test-create"),
    path("tests/<int:pk>/", theory_views.TheoryTestDetail.as_view(), name="theory-test-detail"),
    path("tests/<int:pk>/edit/", theory_views.TheoryTestUpdate.as_view(), name="theory-test-update"),
    path("tests/<int:pk>/publish/", theory_views.TheoryTestPublish.as_view(), name="theory-test-publish"),
    path("tests/<int:pk>/close/", theory_views.TheoryTestClose.as_view(), name="theory-test-close"),
    path("tests/<int:pk>/results.xlsx", theory_views.TheoryTestResultsExport.as_view(), name="theory-test-export"),
    path("tests/<int:pk>/paper/add/", theory_views.PaperQuestionAdd.as_view(), name="paper-question-add"),
    path("tests/<int:pk>/paper/remove/", theory_views.PaperQuestionRemove.as_view(), name="paper-question-remove"),
    path("tests/<int:pk>/start/", theory_views.AttemptStart.as_view(), name="attempt-start"),
    path("attempts/<int:pk>/", theory_views.AttemptTake.as_view(), name="attempt-take"),
    path("attempts/<int:pk>/answer/", theory_views.AttemptAnswer.as_view(), name="attempt-answer"),
    path("attempts/<int:pk>/submit/", theory_views.AttemptSubmit.as_view(), name="attempt-submit"),
    path("attempts/<int:pk>/mark/", theory_views.AttemptMark.as_view(), name="attempt-mark"),
    path("questions/", theory_views.QuestionList.as_view(), name="question-list"),
    path("questions/import/", theory_views.QuestionImport.as_view(), name="question-import"),
    path("questions/template.xlsx", theory_views.QuestionTemplate.as_view(), name="question-template"),
    path("online-study/import/", online_views.OnlineStudyImportStart.as_view(), name="online-study-import"),
    path("online-study/import/<int:pk>/", online_views.OnlineStudyImportDetail.as_view(), name="online-study-import-detail"),
    path("online-study/import/<int:pk>/file/", ScopedFileDownload.as_view(file=ONLINE_STUDY_FILE.key), name="online-study-import-file"),
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
