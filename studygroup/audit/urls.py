from django.urls import path

from studygroup.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.AuditLog.as_view(), name="log"),
    path("audit/export/", views.AuditExport.as_view(), name="export"),
    path("audit/<int:pk>/", views.AuditDetail.as_view(), name="detail"),
    path("security/", views.SecurityOverview.as_view(), name="security"),
    path("security/unlock/", views.AccountUnlock.as_view(), name="unlock"),
    path("security/two-factor-reset/", views.TwoFactorReset.as_view(), name="two-factor-reset"),
    path("accounts/login/code/", views.TwoFactorVerify.as_view(), name="two-factor-verify"),
    path("accounts/two-factor/", views.TwoFactorSettings.as_view(), name="two-factor"),
    path("accounts/two-factor/set-up/", views.TwoFactorEnrol.as_view(), name="two-factor-enrol"),
    path("accounts/two-factor/backup-codes/", views.BackupCodesRegenerate.as_view(), name="two-factor-backup-codes"),
    path("accounts/two-factor/remove/", views.TwoFactorRemove.as_view(), name="two-factor-remove"),
]
