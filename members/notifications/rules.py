"""Object permissions of the notifications part (django-rules), next to ``members/rules.py``.

``notifications.manage_robot_hosts``: keep the list of hosts robot webhooks may post to besides the
official ones (机器人地址白名单). It decides for the whole installation, so only the security
administrator (安全管理员) assigned at a root organisation (a province, or whatever is the top of
this installation's tree) and superusers hold it.
"""

import rules

from members import scoping
from members.models import OrganizationAssignment, current_q
from members.notifications.models import DailyReading, DailyReadingItem
from members.rules import in_user_scope, manages_group


@rules.predicate
def is_superuser(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_root_security_admin(user):
    if not (user and user.is_authenticated and user.is_active):
        return False
    return OrganizationAssignment.objects.filter(
        current_q(), user=user, role=OrganizationAssignment.Role.SECURITY_ADMIN, organization__depth=1
    ).exists()


can_manage_robot_hosts = is_superuser | is_root_security_admin

rules.add_perm("notifications.manage_robot_hosts", can_manage_robot_hosts)


# --- the daily reading (每日推送) --------------------------------------------------------------


def _reading_of(obj):
    return obj.reading if isinstance(obj, DailyReadingItem) else obj


@rules.predicate
def reading_is_open(_user, obj) -> bool:
    from members.notifications.daily_reading import is_open

    return obj is not None and is_open(_reading_of(obj))


@rules.predicate
def item_is_current(_user, item) -> bool:
    return isinstance(item, DailyReadingItem) and item.withdrawn_at is None


@rules.predicate
def item_waits_for_approval(_user, item) -> bool:
    return isinstance(item, DailyReadingItem) and item.approved_at is None


@rules.predicate
def edits_reading(user, obj) -> bool:
    """Staff managing the reading's group."""
    reading = _reading_of(obj)
    return isinstance(reading, DailyReading) and in_user_scope(scoping.managed_groups, user, reading.group_id)


@rules.predicate
def approves_reading(user, obj) -> bool:
    """An approver (office director) at the group's organisation or above."""
    reading = _reading_of(obj)
    return isinstance(reading, DailyReading) and in_user_scope(scoping.approver_groups, user, reading.group_id)


rules.add_perm("notifications.add_reading_item", manages_group)
rules.add_perm("notifications.edit_reading", edits_reading)
rules.add_perm("notifications.approve_reading", approves_reading)
rules.add_perm("notifications.withdraw_reading_item", item_is_current & reading_is_open & edits_reading)
rules.add_perm("notifications.approve_reading_item", item_is_current & item_waits_for_approval & reading_is_open & approves_reading)
rules.add_perm("notifications.approve_whole_reading", reading_is_open & approves_reading)
