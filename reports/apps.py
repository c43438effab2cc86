from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reviews and bulletins")

    def ready(self):
        from reports import tasks  # noqa: F401 (registers the tasks queued by name: studygroup.queue)
