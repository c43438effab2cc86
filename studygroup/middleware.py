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
