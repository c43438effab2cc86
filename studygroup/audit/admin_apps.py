from django.contrib.admin.apps import AdminConfig


class TwoFactorAdminConfig(AdminConfig):
    """``django.contrib.admin`` with a site that requires the second factor."""

    default_site = "studygroup.audit.admin_site.TwoFactorAdminSite"
