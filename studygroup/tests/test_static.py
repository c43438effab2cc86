"""Static files as production serves them: collected with the manifest storage (hashed names),
every page renders with it, and the vendored libraries are complete (licences, source maps)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=([^\s*]+)")
# The demo accounts without two-factor login, one of each kind of user.
ROLES = ["demo-staff", "demo-member", "demo-leader", "demo-other-staff"]


# --- the vendored libraries -------------------------------------------------------------------


@pytest.mark.parametrize("library", sorted(p.name for p in VENDOR.iterdir() if p.is_dir()))
def test_each_vendored_library_keeps_its_licence(library):
    assert (VENDOR / library / "LICENSE").is_file()


def test_echarts_keeps_the_notice_and_licences_apache_asks_for():
    """Apache-2.0 §4(d): a NOTICE file is passed on with the work; ECharts bundles d3 code
    under its own licence (licenses/LICENSE-d3 of the ECharts distribution)."""
    notice = (VENDOR / "echarts" / "NOTICE").read_text()
    assert "Apache ECharts" in notice
    assert "The Apache Software Foundation" in notice
    assert "Mike Bostock" in (VENDOR / "echarts" / "licenses" / "LICENSE-d3").read_text()


def test_every_source_map_a_static_file_names_is_shipped():
    """collectstatic's manifest storage fails on a sourceMappingURL whose file is missing."""
    static_root = Path(settings.BASE_DIR) / "static"
    named = 0
    for path in static_root.rglob("*"):
        if path.suffix not in (".js", ".css"):
            continue
        for reference in SOURCE_MAP.findall(path.read_text(errors="replace")):
            named += 1
            assert (path.parent / reference).is_file(), f"{path.relative_to(static_root)} names {reference}"
    assert named >= 2  # Bootstrap's CSS and JS


# --- pages with the manifest storage ----------------------------------------------------------


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic with the manifest storage, once per test process."""
    from django.core.management import call_command

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (root / "staticfiles.json").is_file()
    return root


@pytest.fixture
def manifest_storage(collected_static, settings):
    """Pages render with hashed names, as in production; a missing file raises ValueError."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    return collected_static


def _nav_links(html):
    nav = "".join(re.findall(r"<nav.*?</nav>", html, flags=re.S))
    links = []
    for href in re.findall(r'href="(/[^"#]*)"', nav):
        if not href.startswith(("/admin/", "/accounts/logout")) and href not in links:
            links.append(href)
    return links


def _static_references(html):
    return set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))


def _assert_collected(references, root):
    for url in references:
        name = url.removeprefix(settings.STATIC_URL)
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), f"{url} is not a hashed name"
        assert (root / name).is_file(), f"{url} was not collected"


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_render_with_the_manifest_storage(username, demo, manifest_storage, client):
    from members.models import User

    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    pages = _nav_links(home.content.decode())
    assert len(pages) >= 8
    references = _static_references(home.content.decode())
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, f"{username}: {path} answered {response.status_code}"
        references |= _static_references(response.content.decode())
    assert any("bootstrap.min" in url for url in references)
    _assert_collected(references, manifest_storage)


@pytest.mark.django_db
def test_login_and_error_pages_render_with_the_manifest_storage(manifest_storage, client, rf):
    from studygroup.views import server_error

    login = client.get("/accounts/login/")
    assert login.status_code == 200
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    error = server_error(rf.get("/"))
    references = set()
    for page in (login, missing, error):
        references |= _static_references(page.content.decode())
    assert references
    _assert_collected(references, manifest_storage)
