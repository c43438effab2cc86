import re

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_home_card.html", takes_context=True)
def home_notifications_card(context):
    """The home page's card: the latest unread notifications (one query)."""
    from members.notifications.services import latest_unread

    request = context.get("request")
    user = getattr(request, "user", None)
    latest = latest_unread(user) if user is not None and user.is_authenticated else []
    return {"latest": latest, "unread": context.get("nav_unread", 0), "request": request}


@register.inclusion_tag("notifications/_group_section.html", takes_context=True)
def notifications_group_section(context, group):
    """On a group's page: its daily reading rate (last 30 days) and, for its staff, the robots."""
    from members.notifications.daily_reading import reading_rate, thirty_days_ago

    request = context.get("request")
    user = request.user
    since = thirty_days_ago()
    return {
        "group": group,
        "rate": reading_rate(group, since=since),
        "since": since,
        "can_manage": user.has_perm("members.manage_group", group),
        "request": request,
    }


_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\((?:https?://|/)[^)\s]*\)")


@register.filter
def plain_text(value):
    """A notification's text for the inbox: the robots' markdown (``[title](url)`` links,
    ``> `` quotes) as plain text."""
    return plain_quotes(_MARKDOWN_LINK.sub(r"\1", str(value or "")))


_MARKDOWN_LINK_PARTS = re.compile(r"\[([^\]\n]*)\]\(((?:https?://|/)[^)\s]*)\)")


@register.filter
def text_with_links(value):
    """For the plain-text e-mail: ``[title](url)`` as "title <url>", quotes without "> "."""
    return plain_quotes(_MARKDOWN_LINK_PARTS.sub(r"\1 <\2>", str(value or "")))


@register.filter
def html_with_links(value):
    """For the HTML e-mail: the text escaped, ``[title](url)`` as links, in paragraphs."""
    from django.template.defaultfilters import linebreaks_filter
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    escaped = escape(plain_quotes(value))
    linked = _MARKDOWN_LINK_PARTS.sub(r'<a href="\2">\1</a>', escaped)
    return mark_safe(linebreaks_filter(mark_safe(linked), autoescape=False))


def plain_quotes(value) -> str:
    return "\n".join(line[2:] if line.startswith("> ") else line for line in str(value or "").splitlines())
