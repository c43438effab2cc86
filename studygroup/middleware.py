from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The interface is in Chinese unless the person picked another language with the switch
    (its cookie). The browser's Accept-Language is not taken as a choice: many office computers
    run an English-language browser for people who read Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ForcePasswordChangeMiddleware:
    """A person whose password someone else reset (``User.must_change_password``) can open only
    the password-change page (and log out) until they have chosen a new password."""

    ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.urls import reverse
            from django.utils.translation import gettext as _

            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            static = (settings.STATIC_URL or "/static/")
            if request.path not in allowed and not request.path.startswith(static):
                if request.method == "GET":
                    messages.warning(request, _("Your password was reset. Please choose a new password first."))
                return redirect("password_change")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one exception: the Django admin (and the packages that add
    to it: the periodic-task form of django-celery-beat has an inline script, the history
    pages style attributes) may use inline scripts and styles. Superusers alone use it; every
    other page gets ``CONTENT_SECURITY_POLICY`` unchanged."""

    ADMIN_PREFIX = "/admin/"
    ADMIN_RELAXED = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(self.ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), **self.ADMIN_RELAXED}
        return parts
