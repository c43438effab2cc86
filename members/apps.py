from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People, organisations, study groups, memberships and role assignments. Imports no other
    app of the project: what others must hear of, it announces by signal (``members.signals``)."""

    name = "members"
    verbose_name = _("Organizations and people")

    def ready(self):
        from members import scoping  # noqa: F401 (fills members.models.scopes)
