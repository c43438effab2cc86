from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def index_minutes(sender, instance, raw=False, **kwargs):
    from members.work import search

    if not raw:
        search.index_minutes(instance)


class WorkConfig(AppConfig):
    """Members' own work: self-study plans, notes, reflections, research reports, articles and
    lectures; research topics and field visits; the search index and the copy check."""

    name = "members.work"
    label = "work"
    verbose_name = _("Members' work")

    def ready(self):
        # Meeting minutes are searched with the work, so keep their search entry current
        # (bookkeeping, not a business rule: the meetings app need not know).
        post_save.connect(index_minutes, sender="meetings.Minutes", dispatch_uid="work-index-minutes")
        # The meetings' seven records count 有笔记 from members' notes and reflections.
        from members.work.selectors import meetings_with_notes_q
        from sessions.selectors import register_notes_condition

        register_notes_condition(meetings_with_notes_q)
        from members.work import tasks  # noqa: F401 (registers the tasks queued by name: studygroup.queue)
