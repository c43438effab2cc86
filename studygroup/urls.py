from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from members.views import PasswordChange
from studygroup.audit.views import TwoFactorLoginView
from studygroup.views import BenchmarkBaseline, Home

admin.site.site_header = _("Study group management")
admin.site.site_title = _("Study group management")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", Home.as_view(), name="home"),
    # Password, then the two-factor code for people who have it (studygroup.audit).
    path("accounts/login/", TwoFactorLoginView.as_view(), name="login"),
    # Before django.contrib.auth.urls: the change also ends a forced change after a reset.
    path("accounts/password_change/", PasswordChange.as_view(), name="password_change"),
    # Not django.contrib.auth.urls: its e-mail password reset would let whoever may change a
    # person's e-mail take the account over. Resets are the security administrator's.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("studygroup.audit.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("members.work.urls")),
    path("", include("members.notifications.urls")),
    path("plans/", include("plans.urls")),
    path("meetings/", include("sessions.urls")),
    path("reports/", include("reports.urls")),
]

if settings.BENCHMARK_BASELINE_VIEW:
    # The baseline of manage.py benchmark_pages' throughput; never mounted in production.
    urlpatterns.append(path("benchmark/baseline/", BenchmarkBaseline.as_view(), name="benchmark-baseline"))

# No uploaded file has a public address, in development or production: files leave only through
# the scoped download views (studygroup.downloads).

handler500 = "studygroup.views.server_error"
