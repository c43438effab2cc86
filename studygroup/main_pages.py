"""The main pages: the one list that ``manage.py benchmark_pages`` measures, the production check
opens through nginx (``scripts/production_check.py --manage``) and the browser test walks
(``studygroup/tests/test_csp_browser.py``, which adds its own detail and form pages on top).

Each entry names a URL; a detail page also names the model whose first object the user sees
(lowest id, through the model's ``visible_to(user)``: the one scoping path). A role may not open
every page (the audit log is the auditor's): whoever walks the list decides by the response.

This module names models by their label only: the shared helpers of ``studygroup`` import no app.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class MainPage:
    # The URL name (``reverse``), e.g. "work:work-search".
    url_name: str
    # The query string without "?", e.g. "q=学习".
    query: str = ""
    # A detail page: the model ("app_label.Model") whose first visible object it shows, and
    # filters on it (e.g. {"status": "issued"}).
    model: str = ""
    filters: dict = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """What tables and JSON call the page: the URL name and its query."""
        return f"{self.url_name}?{self.query}" if self.query else self.url_name

    def path_for(self, user) -> str | None:
        """The page's path for ``user``; None for a detail page when the user sees no object."""
        if not self.model:
            path = reverse(self.url_name)
        else:
            obj = first_visible(self.model, user, **self.filters)
            if obj is None:
                return None
            path = reverse(self.url_name, args=[obj.pk])
        return f"{path}?{self.query}" if self.query else path


MAIN_PAGES = [
    MainPage("home"),
    # Search for common two-character words: many hits, the ranking and the snippets.
    MainPage("work:work-search", "q=学习"),
    MainPage("work:work-search", "q=调研"),
    MainPage("work:work-list"),
    MainPage("meetings:meeting-list"),
    MainPage("meetings:meeting-calendar"),
    MainPage("plans:plan-list"),
    MainPage("members:person-list"),
    MainPage("members:organization-list"),
    MainPage("reports:review-list"),
    # 考学: the tests a member may take or staff have set, and the question bank.
    MainPage("work:theory-test-list"),
    MainPage("work:question-list"),
    MainPage("reports:bulletin-detail", model="reports.Bulletin"),
    # A province's bulletin (seed_scale issues one): its annex covers every group of the province.
    MainPage("reports:bulletin-detail", "annex_page=1", model="reports.Bulletin", filters={"organization__depth": 1}),
    # The auditor's only: other roles are refused (403), which is not measured.
    MainPage("audit:log"),
]


def first_visible(model_label: str, user, **filters):
    """The first object (lowest id) of the model that ``user`` sees."""
    model = apps.get_model(model_label)
    return model._default_manager.visible_to(user).filter(**filters).order_by("pk").first()


def pages_for(user) -> list[tuple[MainPage, str]]:
    """Each main page with its path for ``user``, leaving out detail pages without an object."""
    found = []
    for page in MAIN_PAGES:
        path = page.path_for(user)
        if path is not None:
            found.append((page, path))
    return found


def paths_for(user) -> list[str]:
    """The paths of the main pages for ``user``."""
    return [path for _page, path in pages_for(user)]
