from django import template
from django.utils.translation import gettext

register = template.Library()

BADGES = {
    "login": "text-bg-success", "logout": "text-bg-secondary", "login_failed": "text-bg-warning",
    "lockout": "text-bg-danger", "unlock": "text-bg-info", "permission_change": "text-bg-danger",
    "password_change": "text-bg-info", "password_reset": "text-bg-warning", "two_factor": "text-bg-info",
    "delete": "text-bg-dark", "export": "text-bg-primary", "download": "text-bg-primary",
}


@register.filter
def action_badge(action: str) -> str:
    return BADGES.get(action, "text-bg-light border")


@register.filter
def translate_detail(detail: str) -> str:
    """Details are stored as English message ids (``gettext_noop``): shown in the reader's language."""
    return gettext(detail) if detail else ""


@register.inclusion_tag("audit/_home_card.html", takes_context=True)
def audit_home_card(context):
    """On the home page: the audit trail for auditors, account security for security
    administrators, two-factor login for everyone who has not set it up."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "can_audit": user.has_perm("audit.view_log"),
        "can_secure": user.has_perm("audit.manage_security"),
    }
