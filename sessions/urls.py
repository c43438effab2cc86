from django.urls import path

from sessions import views
from sessions.downloads import MATERIAL_FILE
from studygroup.downloads import ScopedFileDownload

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingList.as_view(), name="meeting-list"),
    path("calendar/", views.MeetingCalendar.as_view(), name="meeting-calendar"),
    path("new/", views.MeetingCreate.as_view(), name="meeting-create"),
    path("<int:pk>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("<int:pk>/edit/", views.MeetingUpdate.as_view(), name="meeting-update"),
    path("<int:pk>/notice/", views.MeetingNotify.as_view(), name="meeting-notify"),
    path("<int:pk>/cancel/", views.MeetingCancel.as_view(), name="meeting-cancel"),
    path("<int:pk>/held/", views.MeetingMarkHeld.as_view(), name="meeting-mark-held"),
    path("<int:pk>/close/", views.MeetingClose.as_view(), name="meeting-close"),
    path("<int:pk>/attendance/", views.MeetingAttendanceUpdate.as_view(), name="meeting-attendance"),
    path("<int:pk>/sign-in/screen/", views.SignInScreen.as_view(), name="meeting-sign-in-screen"),
    path("<int:pk>/sign-in/screen/qr/", views.SignInQr.as_view(), name="meeting-sign-in-qr"),
    path("<int:pk>/sign-in/screen/count/", views.SignInCount.as_view(), name="meeting-sign-in-count"),
    path("<int:pk>/sign-in/<str:code>/", views.MeetingSignIn.as_view(), name="meeting-sign-in"),
    path("<int:pk>/leave/", views.MeetingLeave.as_view(), name="meeting-leave"),
    path("<int:pk>/make-up/", views.MeetingMakeup.as_view(), name="meeting-makeup"),
    path("attendance/<int:pk>/make-up/confirm/", views.MakeupConfirm.as_view(), name="makeup-confirm"),
    path("<int:pk>/minutes/", views.MeetingMinutes.as_view(), name="meeting-minutes"),
    path("<int:pk>/speeches/new/", views.SpeechCreate.as_view(), name="speech-create"),
    path("speeches/<int:pk>/edit/", views.SpeechUpdate.as_view(), name="speech-update"),
    path("<int:pk>/report/", views.MeetingReport.as_view(), name="meeting-report"),
    path("<int:pk>/materials/new/", views.MaterialCreate.as_view(), name="material-create"),
    path("topics/<int:pk>/materials/new/", views.TopicMaterialCreate.as_view(), name="topic-material-create"),
    path("materials/<int:pk>/", ScopedFileDownload.as_view(file=MATERIAL_FILE.key), name="material-download"),
    path("materials/<int:pk>/withdraw/", views.MaterialWithdraw.as_view(), name="material-withdraw"),
    path("<int:pk>/archive/", views.MeetingArchive.as_view(), name="meeting-archive"),
    path("<int:pk>/archive.pdf", views.MeetingArchivePdf.as_view(), name="meeting-archive-pdf"),
    path("<int:pk>/sign-in-sheet.xlsx", views.SignInSheetXlsx.as_view(), name="meeting-sign-in-sheet-xlsx"),
    path("<int:pk>/sign-in-sheet.pdf", views.SignInSheetPdf.as_view(), name="meeting-sign-in-sheet-pdf"),
    path("<int:pk>/meeting.ics", views.MeetingIcs.as_view(), name="meeting-ics"),
    path("calendar/feed/", views.CalendarFeedSettings.as_view(), name="meeting-feed-settings"),
    path("calendar/feed/<str:token>.ics", views.CalendarFeedIcs.as_view(), name="meeting-feed"),
    path("groups/<int:pk>/year/", views.GroupYear.as_view(), name="group-year"),
    path("first-agenda/", views.FirstAgendaList.as_view(), name="first-agenda-list"),
    path("first-agenda/new/", views.FirstAgendaCreate.as_view(), name="first-agenda-create"),
    path("first-agenda/<int:pk>/", views.FirstAgendaDetail.as_view(), name="first-agenda-detail"),
    path("first-agenda/<int:pk>/edit/", views.FirstAgendaUpdate.as_view(), name="first-agenda-update"),
    path("first-agenda/<int:pk>/measures/new/", views.MeasureCreate.as_view(), name="measure-create"),
    path("measures/<int:pk>/edit/", views.MeasureUpdate.as_view(), name="measure-update"),
    path("observations/", views.ObservationList.as_view(), name="observation-list"),
    path("<int:pk>/observations/new/", views.ObservationCreate.as_view(), name="observation-create"),
    path("observations/<int:pk>/", views.ObservationDetail.as_view(), name="observation-detail"),
    path("observations/<int:pk>/points/new/", views.ObservationPointCreate.as_view(), name="observation-point-create"),
    path("observation-points/<int:pk>/answer/", views.ObservationPointAnswer.as_view(), name="observation-point-answer"),
]
