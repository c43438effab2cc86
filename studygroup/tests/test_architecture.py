"""Rules of the code base that a test can hold us to."""

import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
APPS = ["studygroup", "members", "plans", "sessions", "reports"]
DIRECT_MANAGER = re.compile(r"\b[A-Z]\w*\.(objects|_default_manager|_base_manager)\b")


def view_modules():
    for app in APPS:
        yield from (BASE_DIR / app).glob("views.py")
        yield from (BASE_DIR / app).glob("views/*.py")
        yield from (BASE_DIR / app).glob("*_views.py")


def test_view_modules_never_use_model_managers_directly():
    """Views get objects through the scoping querysets (visible_to/editable_by), selectors or
    services, never ``Model.objects``: that is how out-of-scope ids stay 404."""
    offenders = []
    for path in view_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DIRECT_MANAGER.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert not offenders, "use the scoped querysets instead:\n" + "\n".join(offenders)


def test_the_scan_recognises_a_direct_use():
    assert DIRECT_MANAGER.search("groups = StudyGroup.objects.all()")
    assert DIRECT_MANAGER.search("Plan._default_manager.get(pk=1)")
    assert not DIRECT_MANAGER.search("groups = StudyGroup.objects_visible")
    assert not DIRECT_MANAGER.search("self.scoped_manager().visible_to(user)")


def test_sessions_app_has_the_meetings_label():
    from django.apps import apps

    config = apps.get_app_config("meetings")
    assert config.name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"


def test_no_cdn_in_templates():
    """Users' intranets have no internet: every asset is served from static/."""
    hits = []
    for path in BASE_DIR.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'(?:src|href)="(https?:)?//[^"]+"', text):
            hits.append(f"{path.relative_to(BASE_DIR)}: {match.group(0)}")
    assert not hits, hits
