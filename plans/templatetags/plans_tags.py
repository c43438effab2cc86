from django import template

from plans import exports

register = template.Library()


@register.filter
def section_number(n) -> str:
    """1 → 一、 (the plan document's section numbering)."""
    return exports.section_number(int(n))


@register.filter
def schedule_title(plan) -> str:
    return exports.schedule_title(plan)


@register.inclusion_tag("plans/_home_card.html", takes_context=True)
def home_plans_card(context):
    from plans.selectors import home_plans

    request = context.get("request")
    return {"plans": home_plans(request.user), "request": request}


@register.inclusion_tag("plans/_group_plans.html", takes_context=True)
def group_plans_card(context, group):
    from django.utils import timezone

    from plans.selectors import group_plans

    request = context.get("request")
    today = timezone.localdate()
    return {
        "group": group,
        "plans": list(group_plans(group, request.user)[:10]),
        "today": today,
        "request": request,
    }


@register.filter
def month_name(month) -> str:
    from plans import models

    return models.month_name(int(month))


@register.filter
def months_list(months) -> str:
    from plans.models import months_label

    return months_label(int(m) for m in months or [])
