"""What beat reminds people of about plans: calls for topics closing, plans waiting for the
组长's approval, and at set dates (1 June, 1 November) groups and members behind the plan's pace.

Each task finds what is due with one query and notifies through ``notification_send`` with a
stable occasion, so a second run notifies nobody twice.
"""

from datetime import timedelta

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership
from members.notifications.models import NotificationKind
from members.notifications.registry import reminder_rule
from members.notifications.services import escalate, format_day, group_members, group_staff, notification_send
from plans.models import AnnualPlan, ProposalCall


@reminder_rule
@shared_task(name="plans.remind_proposal_calls_closing", ignore_result=True)
def remind_proposal_calls_closing(*, within_days: int | None = None) -> int:
    """A few days before a call for topics closes: the group's members and staff."""
    within = within_days or settings.PROPOSAL_CALL_CLOSING_DAYS
    today = timezone.localdate()
    calls = ProposalCall.objects.filter(deadline__gte=today, deadline__lte=today + timedelta(days=within)).select_related(
        "group"
    )
    count = 0
    for call in calls:
        recipients = list(group_members(call.group)) + group_staff(call.group)
        count += len(
            notification_send(
                kind=NotificationKind.PROPOSAL_CALL_CLOSING, obj=call, recipients=recipients, occasion="closing",
                title=_("Call for topics closes on %(date)s: %(title)s")
                % {"date": format_day(call.deadline), "title": call.title},
                body=call.description[:500], group=call.group, robots=False,
            )
        )
    return count


@reminder_rule
@shared_task(name="plans.remind_plans_waiting", ignore_result=True)
def remind_plans_waiting(*, waiting_days: int | None = None, escalate_after_days: int | None = None) -> int:
    """Plans submitted to the 组长 and not decided for N days; past the escalation threshold the
    supervising staff are told once."""
    waiting = timedelta(days=waiting_days or settings.APPROVAL_WAITING_DAYS)
    escalate_after = timedelta(days=escalate_after_days or settings.ESCALATE_AFTER_DAYS)
    now = timezone.now()
    plans = AnnualPlan.objects.filter(
        status=AnnualPlan.Status.SUBMITTED, is_current=True, submitted_at__lt=now - waiting
    ).select_related("group__organization")
    count = 0
    for plan in plans:
        leaders = group_members(plan.group, roles=[Membership.Role.LEADER])
        title = _("Waiting for your approval: %(title)s") % {"title": plan}
        count += len(
            notification_send(
                kind=NotificationKind.APPROVAL_WAITING, obj=plan, recipients=leaders,
                occasion=f"submitted-{plan.submitted_at:%Y%m%d%H%M%S}", title=title, group=plan.group, robots=False,
            )
        )
        if plan.submitted_at < now - escalate_after:
            escalate(obj=plan, organization=plan.group.organization,
                     title=_("Plan not approved for a long time: %(title)s") % {"title": plan},
                     occasion=f"submitted-{plan.submitted_at:%Y%m%d%H%M%S}")
    return count


def _pace(today) -> float:
    """How much of the year has passed (by whole months), 0–1."""
    return (today.month - 1) / 12


@reminder_rule(in_demo=False)
@shared_task(name="plans.remind_quotas", ignore_result=True)
def remind_quotas() -> int:
    """At set dates: groups behind the plan's pace of meetings and discussions (their staff and
    组长), and members behind on articles and research reports (each member)."""
    Meeting = apps.get_model("meetings", "Meeting")
    today = timezone.localdate()
    pace = _pace(today)
    held = Meeting.objects.filter(
        group=OuterRef("group"), starts_at__year=today.year, status__in=["held", "archived"]
    ).order_by().values("group")
    zero = Value(0, output_field=IntegerField())
    plans = (
        AnnualPlan.objects.in_force()
        .filter(year=today.year)
        .select_related("group__organization")
        .annotate(
            meetings_held=Coalesce(Subquery(held.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), zero),
            discussions_held=Coalesce(
                Subquery(held.filter(kind="discussion").annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                zero,
            ),
        )
    )
    occasion = f"quota-{today.isoformat()}"
    count = 0
    for plan in plans:
        meetings_due = int(plan.meetings_per_year * pace)
        discussions_due = int(plan.discussions_per_year * pace)
        if plan.meetings_held < meetings_due or plan.discussions_held < discussions_due:
            recipients = group_staff(plan.group) + list(group_members(plan.group, roles=[Membership.Role.LEADER]))
            count += len(
                notification_send(
                    kind=NotificationKind.QUOTA_BEHIND, obj=plan, recipients=recipients, occasion=occasion,
                    title=_("%(group)s is behind the plan's pace") % {"group": plan.group},
                    body=_(
                        "Meetings held: %(held)s of %(due)s due by now (%(year)s a year). "
                        "Thematic discussions: %(dheld)s of %(ddue)s."
                    ) % {
                        "held": plan.meetings_held, "due": meetings_due, "year": plan.meetings_per_year,
                        "dheld": plan.discussions_held, "ddue": discussions_due,
                    },
                    group=plan.group, robots=False,
                )
            )
        works_due = int(plan.articles_per_member * pace)
        if works_due <= 0:
            continue
        counted = Q(work__kind="research") | Q(work__kind="article", work__level__in=["national", "provincial", "city"])
        # The quota is the members' (组长, 副组长, 成员); the study secretary keeps the records.
        roles = [Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER]
        members = group_members(plan.group, roles=roles).annotate(
            works=Count(
                "work",
                filter=counted & Q(work__year=today.year, work__status="accepted", work__group=plan.group),
                distinct=True,
            )
        ).filter(works__lt=works_due)
        for member in members:
            count += len(
                notification_send(
                    kind=NotificationKind.QUOTA_BEHIND, obj=plan, recipients=[member], occasion=f"member-{occasion}",
                    title=_("Behind the plan: articles and research reports"),
                    body=_(
                        "%(group)s: this year %(done)s of your research reports and articles (city level and "
                        "above) have been accepted; the plan expects %(due)s by now (%(year)s a year)."
                    ) % {"group": plan.group, "done": member.works, "due": works_due, "year": plan.articles_per_member},
                    group=plan.group, robots=False,
                )
            )
    return count
