from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from members import selectors


class Home(LoginRequiredMixin, TemplateView):
    """Each user's starting point: what matters to them, by role."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(overview=selectors.home_overview(self.request.user), **kwargs)
