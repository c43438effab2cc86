"""Who may use the audit and security pages (django-rules).

- ``audit.view_log``: 审计管理员 (an ``auditor`` assignment) and superusers; the entries they
  see are scoped by ``AuditEntry.objects.visible_to``.
- ``audit.manage_security``: 安全管理员 (a ``security_admin`` assignment) and superusers:
  lockouts, unlocking, two-factor resets, the security policy panel. Scoped to their subtree by
  ``studygroup.audit.selectors``.

系统管理员 holds neither: 三员分立.
"""

import rules

from members import scoping


@rules.predicate
def is_auditor(user):
    return user.is_authenticated and scoping.administered_organizations(user, scoping.AUDITOR).exists()


@rules.predicate
def is_security_admin(user):
    return user.is_authenticated and scoping.administered_organizations(user, scoping.SECURITY_ADMIN).exists()


rules.add_perm("audit.view_log", rules.is_superuser | is_auditor)
rules.add_perm("audit.manage_security", rules.is_superuser | is_security_admin)
