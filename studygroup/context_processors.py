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

    def unread():
        # Only evaluated when a template shows it: one COUNT on the inbox index.
        from members.notifications.services import unread_count

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        if not hasattr(request, "_cached_unread"):
            request._cached_unread = unread_count(user)
        return request._cached_unread

    return {
        "nav_roles": SimpleLazyObject(roles),
        "nav_unread": SimpleLazyObject(unread),
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
    }
