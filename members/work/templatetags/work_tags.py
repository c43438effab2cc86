from django import template

register = template.Library()


@register.inclusion_tag("work/_home_card.html", takes_context=True)
def home_work_card(context):
    """The home page's card of members' own work: what is due, what was returned, what waits
    for the user's review."""
    from members.work.selectors import home_work

    request = context.get("request")
    return {"work": home_work(request.user), "request": request}
