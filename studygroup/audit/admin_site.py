"""The Django admin behind two-factor login.

Only superusers and ``is_staff`` people whose session passed the second step (django-otp's
``OTPAdminSite``) may use it. Its own login form is not used: the admin sends people to the
application's login page, which counts failures (django-axes) and asks for the second factor.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class TwoFactorAdminSite(OTPAdminSite):
    def __init__(self, name="admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("login"))
        if (user.is_staff or user.is_superuser) and user.is_active and not user.is_verified():
            from studygroup.audit import twofactor

            return redirect(twofactor.second_step_url(user, next_url))
        # Logged in without the right to use the admin: no second login form here.
        raise PermissionDenied
