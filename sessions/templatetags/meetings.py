"""Template helpers of the meetings app, and the cards other apps' pages include (home page,
group page) so those pages need no change to their views."""

from django import template

register = template.Library()


@register.filter
def attr_of(obj, name):
    """``{{ meeting|attr_of:"has_minutes" }}``: an attribute named by a variable."""
    return getattr(obj, name, None)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("meetings/partials/home_card.html", takes_context=True)
def meetings_home_card(context):
    from sessions import selectors

    user = context["request"].user
    return {"request": context["request"], "data": selectors.home_meetings(user)}


@register.inclusion_tag("meetings/partials/group_section.html", takes_context=True)
def meetings_group_section(context, group):
    from sessions import selectors

    request = context["request"]
    return {"request": request, "group": group, **selectors.group_section(group, request.user)}
