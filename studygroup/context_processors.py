from django.conf import settings
from django.utils.functional import SimpleLazyObject


def navigation(request):
    """The user's roles, so the navigation shows what fits them; computed once a request."""

    def roles():
        from members import scoping

        user = getattr(request, "user", None)
        if user is None:
            return set()
        if not hasattr(request, "_cached_roles"):
            request._cached_roles = scoping.roles_of(user)
        return request._cached_roles

    return {
        "nav_roles": SimpleLazyObject(roles),
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
    }
