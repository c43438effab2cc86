import ctypes.util
import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("studygroup")


class StudygroupConfig(AppConfig):
    name = "studygroup"
    verbose_name = _("Study group management")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from studygroup.schedules import on_post_migrate

        check_pdf_font_subsetting()
        # Each app's downloads.py registers its downloadable file fields (studygroup.downloads).
        autodiscover_modules("downloads")
        # The beat schedule in the database: missing periodic tasks are created after migrate.
        post_migrate.connect(on_post_migrate, sender=apps.get_app_config("django_celery_beat"),
                             dispatch_uid="studygroup-beat-schedules")


def check_pdf_font_subsetting():
    """Warn when HarfBuzz's subsetter is missing: WeasyPrint then subsets the CJK fonts with
    fontTools, which costs seconds per font face in every PDF (see studygroup.documents)."""
    if ctypes.util.find_library("harfbuzz-subset") is None:
        logger.warning(
            "libharfbuzz-subset is not installed: PDFs will be slow (fontTools subsets the "
            "Chinese fonts, seconds per document). Install it: apt-get install libharfbuzz-subset0"
        )
        return False
    return True
