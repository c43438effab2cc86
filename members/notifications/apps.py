from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications and preferences, the groups' robots and their deliveries, the daily reading.
    Depends on members only; the other apps' reminder rules are discovered (``registry``)."""

    name = "members.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from members.notifications import registry, tasks  # noqa: F401 (tasks: queued by name)
        from members.notifications.services import announce_contact_change, remind_new_people
        from members.signals import people_imported, person_contact_changed

        # What members announces (members never imports this app): a person's contact details
        # changed by someone else.
        person_contact_changed.connect(announce_contact_change, dispatch_uid="notifications-contact-changed")
        # New people from a roster import: their groups' robots remind them to activate.
        people_imported.connect(remind_new_people, dispatch_uid="notifications-people-imported")
        registry.autodiscover()
