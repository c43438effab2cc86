from django import template

register = template.Library()


@register.inclusion_tag("members/notifications/_home_card.html", takes_context=True)
def home_notifications_card(context):
    """The home page's card: the latest unread notifications (one query)."""
    from members.notifications import latest_unread

    request = context.get("request")
    user = getattr(request, "user", None)
    latest = latest_unread(user) if user is not None and user.is_authenticated else []
    return {"latest": latest, "unread": context.get("nav_unread", 0), "request": request}


@register.inclusion_tag("members/notifications/_group_section.html", takes_context=True)
def notifications_group_section(context, group):
    """On a group's page: its daily reading rate (last 30 days) and, for its staff, the robots."""
    from members import scoping
    from members.daily_reading import reading_rate, thirty_days_ago

    request = context.get("request")
    user = request.user
    since = thirty_days_ago()
    return {
        "group": group,
        "rate": reading_rate(group, since=since),
        "since": since,
        "can_manage": scoping.managed_groups(user).filter(pk=group.pk).exists(),
        "request": request,
    }
