from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudygroupConfig(AppConfig):
    name = "studygroup"
    verbose_name = _("Study group management")
