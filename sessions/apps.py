from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    # The package is "sessions"; the label "sessions" belongs to django.contrib.sessions.
    name = "sessions"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from sessions import tasks  # noqa: F401 (registers the tasks queued by name: studygroup.queue)
