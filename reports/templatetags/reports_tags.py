from datetime import date

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ row|get_item:key }}``: a dict value by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def snapshot_date(value):
    """A date a frozen snapshot keeps as ISO text (JSON), back as a date for ``|date``, so the
    page and PDF show it in the active language's format."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


@register.inclusion_tag("reports/_home_card.html", takes_context=True)
def reports_home_card(context):
    from reports import selectors

    return {"card": selectors.home_card(context["request"].user), "request": context["request"]}


@register.inclusion_tag("reports/_group_section.html", takes_context=True)
def reports_group_section(context, group):
    from reports import selectors

    return {"section": selectors.group_section(group, context["request"].user), "group": group, "request": context["request"]}
