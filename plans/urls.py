from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanList.as_view(), name="plan-list"),
    path("new/", views.PlanCreate.as_view(), name="plan-create"),
    path("import/", views.PlanImport.as_view(), name="plan-import"),
    path("<int:pk>/", views.PlanDetail.as_view(), name="plan-detail"),
    path("<int:pk>/edit/", views.PlanUpdate.as_view(), name="plan-update"),
    path("<int:pk>/schedule/", views.ScheduleUpdate.as_view(), name="schedule-update"),
    path("<int:pk>/print/", views.PlanPrint.as_view(), name="plan-print"),
    path("<int:pk>/pdf/", views.PlanPdf.as_view(), name="plan-pdf"),
    path("<int:pk>/docx/", views.PlanDocx.as_view(), name="plan-docx"),
    path("<int:pk>/schedule.xlsx", views.ScheduleXlsx.as_view(), name="schedule-xlsx"),
    path("<int:pk>/changes/", views.PlanChanges.as_view(), name="plan-changes"),
    path("<int:pk>/submit/", views.PlanSubmit.as_view(), name="plan-submit"),
    path("<int:pk>/withdraw/", views.PlanWithdraw.as_view(), name="plan-withdraw"),
    path("<int:pk>/approve/", views.PlanApprove.as_view(), name="plan-approve"),
    path("<int:pk>/return/", views.PlanReturn.as_view(), name="plan-return"),
    path("<int:pk>/publish/", views.PlanPublish.as_view(), name="plan-publish"),
    path("<int:pk>/revise/", views.PlanRevise.as_view(), name="plan-revise"),
    path("<int:pk>/copy/", views.PlanCopy.as_view(), name="plan-copy"),
    path("<int:pk>/cascade/", views.CascadeCreate.as_view(), name="cascade-create"),
    path("cascades/", views.CascadeList.as_view(), name="cascade-list"),
    path("cascades/<int:pk>/", views.CascadeUptake.as_view(), name="cascade-uptake"),
    path("cascades/<int:pk>/adopt/", views.CascadeAdopt.as_view(), name="cascade-adopt"),
    path("proposals/", views.ProposalCallList.as_view(), name="proposal-call-list"),
    path("proposals/new/", views.ProposalCallCreate.as_view(), name="proposal-call-create"),
    path("proposals/<int:pk>/", views.ProposalCallDetail.as_view(), name="proposal-call-detail"),
    path("proposals/<int:pk>/propose/", views.ProposalCreate.as_view(), name="proposal-create"),
    path("proposals/topic/<int:pk>/adopt/", views.ProposalAdopt.as_view(), name="proposal-adopt"),
    path("proposals/topic/<int:pk>/decline/", views.ProposalDecline.as_view(), name="proposal-decline"),
    path("groups/<int:pk>/<int:year>/<int:month>/", views.MonthlyPlan.as_view(), name="monthly-plan"),
    path("groups/<int:pk>/<int:year>/<int:month>/print/", views.MonthlyPlanPrint.as_view(), name="monthly-plan-print"),
]
