"""Object permissions of the notifications part (django-rules), next to ``members/rules.py``.

``members.manage_robot_hosts``: keep the list of hosts robot webhooks may post to besides the
official ones (机器人地址白名单). It decides for the whole installation, so only the security
administrator (安全管理员) assigned at a root organisation (a province, or whatever is the top of
this installation's tree) and superusers hold it.
"""

import rules

from members.models import OrganizationAssignment, current_q


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

rules.add_perm("members.manage_robot_hosts", can_manage_robot_hosts)
