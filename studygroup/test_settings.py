"""Settings for the test suite: the real settings with what tests must not depend on turned off."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks")

from studygroup.settings import *  # noqa: E402,F403

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Hashing stays real (lockout and password tests log in), only cheaper.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Celery runs eagerly unless a test brings up a real worker (see the celery marker).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
# SQLite: the test database lives in memory, unless TEST_SQLITE_FILE is set: a Celery worker or a
# gunicorn started by a test (conftest ``celery_worker_process``) must open the same database as
# the test, which a file allows (the suite runs those tests on PostgreSQL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and os.environ.get("TEST_SQLITE_FILE"):  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"studygroup-test-{os.getpid()}.sqlite3"),
    }
# Downloads: the app streams the body itself (production hands it to nginx).
SENDFILE_BACKEND = "django_sendfile.backends.simple"
SENDFILE_ROOT = str(MEDIA_ROOT)
