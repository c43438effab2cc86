from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organizations and people")

    def ready(self):
        # Object permissions of the notifications part (members/rules.py is autodiscovered).
        from members import notification_rules  # noqa: F401
        from members.schedules import on_post_migrate

        # The notifications part listens to what members announces (members itself never
        # imports it): a person's contact details changed by someone else.
        from members.notifications import announce_contact_change
        from members.signals import person_contact_changed

        person_contact_changed.connect(announce_contact_change, dispatch_uid="notifications-contact-changed")

        # The beat schedule in the database: missing periodic tasks are created after migrate.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="members_beat_schedules")

        # Members' own work: meeting minutes are searched with the work, so keep their search
        # entry current (bookkeeping, not a business rule: the meetings app need not know).
        from django.db.models.signals import post_save

        def index_minutes(sender, instance, raw=False, **kwargs):
            from members import search

            if not raw:
                search.index_minutes(instance)

        post_save.connect(index_minutes, sender="meetings.Minutes", weak=False, dispatch_uid="members-index-minutes")
