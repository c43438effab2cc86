from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponse
from django.views import View
from django.views.generic import TemplateView

from members import selectors


class Home(LoginRequiredMixin, TemplateView):
    """Each user's starting point: what matters to them, by role."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(overview=selectors.home_overview(self.request.user), **kwargs)


class BenchmarkBaseline(LoginRequiredMixin, View):
    """A trivial logged-in page: one query of its own, through the same middleware as every
    page. ``manage.py benchmark_pages`` compares the meeting list's throughput with this one's;
    mounted only when ``BENCHMARK_BASELINE_VIEW`` is on (studygroup.urls)."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            (one,) = cursor.fetchone()
        return HttpResponse(f"ok {one}\n", content_type="text/plain; charset=utf-8")


def server_error(request, template_name="500.html"):
    """The 500 page, with the request id a user can quote (Django's own passes no context)."""
    from django.http import HttpResponseServerError
    from django.template import loader

    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"request_id": getattr(request, "request_id", "")}))
