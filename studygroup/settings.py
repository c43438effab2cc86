"""Settings for 中心组学习管理, read from the environment.

The embedded default needs no server: a SQLite file in the project folder and Celery tasks run
eagerly. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and Redis.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Only a development default: production must set its own (check --deploy insists).
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The Django admin asks for a second factor too (django-otp) and logs in through the app's
    # own login page (lockout, two-factor step); see studygroup.audit.admin_site.
    "studygroup.audit.admin_apps.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "treebeard",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "studygroup",
    "studygroup.audit",
    "members",
    "members.notifications",
    "plans",
    "sessions.apps.MeetingsConfig",
    "members.work",
    "reports",
]

MIDDLEWARE = [
    # First: every request gets its id (X-Request-ID, the log line, error pages) and its JSON
    # log line, whatever answers it; the health check answers before the host and HTTPS checks,
    # so a load balancer may probe a web machine directly.
    "studygroup.observability.RequestLogMiddleware",
    "studygroup.observability.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studygroup.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A request body bigger than any upload may be is refused before it is read (413).
    "studygroup.uploads.UploadSizeLimitMiddleware",
    # request.user.is_verified(): the session passed the second step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login unless its view says otherwise (login, language switch, feeds).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Remembers permission answers for the request (studygroup.permissions).
    "studygroup.permissions.PermissionMemoMiddleware",
    # After a password reset by 安全管理员: nothing but the password change until it is done.
    "studygroup.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (django-csp; the policy is below).
    "studygroup.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Two-factor enrolment and expired passwords before any other page; exports audited.
    "studygroup.audit.middleware.AuditMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studygroup.urls"
WSGI_APPLICATION = "studygroup.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studygroup.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is away (/healthz answers within a load balancer's patience).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default is shared by the web process, a Celery worker and beat: writers wait
    # for each other (IMMEDIATE transactions, a busy timeout) instead of failing "database is
    # locked", and WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out username is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions: each app's rules.py registers its predicates (django-rules).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "members.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "members.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie's age is renewed on every request, so it lapses after this much quiet.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout (等保 2.0): five failures for a username lock it for fifteen minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Offices sit behind one NAT address: locking by address would lock out a whole department.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Failed attempts keep their form data: never the password, nor the two-factor code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Proxies in front of the app that append to X-Forwarded-For (nginx: 1); the client address
# in the audit trail is read that many hops from the right, so a forged header counts for nothing.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-axes reads the client address the same way (django-ipware is not installed, so
# without this it would record nginx's address for everyone).
AXES_CLIENT_IP_CALLABLE = "studygroup.audit.services.client_ip"
# How long the audit trail of logins and changes is kept; 等保 2.0 asks for at least 180 days.
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))
# The audit log page and its Excel export (studygroup.audit).
AUDIT_PAGE_SIZE = env.int("AUDIT_PAGE_SIZE", default=50)
AUDIT_EXPORT_MAX_ROWS = env.int("AUDIT_EXPORT_MAX_ROWS", default=20000)

# Two-factor login (django-otp): required for superusers, Django-admin staff and the three
# administrator roles (系统管理员, 安全管理员, 审计管理员); optional for everyone else unless
# OTP_REQUIRED_FOR_ALL. Authenticator apps (TOTP) and one-time backup codes.
OTP_REQUIRED_FOR_ALL = env.bool("OTP_REQUIRED_FOR_ALL", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="中心组学习管理")
# The second step must follow the password within this many minutes.
OTP_LOGIN_TIMEOUT_MINUTES = env.int("OTP_LOGIN_TIMEOUT_MINUTES", default=5)
OTP_BACKUP_CODE_COUNT = 10
# Wrong codes count towards the django-axes lockout (5 failures lock the account), which bounds
# guessing; django-otp's own growing delay on top would refuse the right code typed a second after
# a typo, with a misleading message.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Passwords expire after this many days (0: never); the person is sent to change it.
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are written with the active language's formats (django.utils.formats.date_format, the
# |date filter); the project's own formats extend Django's, see studygroup/formats/.
FORMAT_MODULE_PATH = ["studygroup.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic puts the files nginx serves (production: /var/lib/studygroup/static).
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files leave only through the scoped download views (django-sendfile2): in production
# nginx serves the body from an internal location (X-Accel-Redirect), no public /media/ URL.
SENDFILE_BACKEND = env(
    "SENDFILE_BACKEND",
    default="django_sendfile.backends.simple" if DEBUG else "django_sendfile.backends.nginx",
)
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = env("SENDFILE_URL", default="/protected-media")
# Uploads (studygroup.uploads): every upload field has its size cap in MB (materials:
# MATERIAL_MAX_UPLOAD_MB below); the validator checks types by content and Office files as zip
# archives with these limits (zip bombs).
WORK_ATTACHMENT_MAX_UPLOAD_MB = env.int("WORK_ATTACHMENT_MAX_UPLOAD_MB", default=20)
EVIDENCE_MAX_UPLOAD_MB = env.int("EVIDENCE_MAX_UPLOAD_MB", default=20)
PLAN_IMPORT_MAX_UPLOAD_MB = env.int("PLAN_IMPORT_MAX_UPLOAD_MB", default=5)
# 花名册导入: the roster file (Excel or CSV) and how many rows one import takes.
ROSTER_IMPORT_MAX_UPLOAD_MB = env.int("ROSTER_IMPORT_MAX_UPLOAD_MB", default=10)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=30000)
# How long the activation link a new person gets (instead of a password) stays valid.
ACCOUNT_ACTIVATION_DAYS = env.int("ACCOUNT_ACTIVATION_DAYS", default=14)
UPLOAD_ZIP_MAX_UNPACKED_MB = env.int("UPLOAD_ZIP_MAX_UNPACKED_MB", default=200)
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=2000)
# A request body above this (from its Content-Length, before it is read) is refused with 413;
# empty means the largest upload cap plus 2 MB for the form's other fields. nginx's
# client_max_body_size should not be lower.
UPLOAD_REQUEST_MAX_MB = env.int("UPLOAD_REQUEST_MAX_MB", default=None)
# Bigger uploads go to a temporary file as they arrive, never whole into memory; other form
# data is capped as Django's default; a form never sends more than a few files.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Stored files are readable by the app's user and its group only (production: nginx's user is
# in the app's group, so it can send them through X-Accel-Redirect; no one else can).
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Uploaded files live in MEDIA_ROOT (one machine, or a folder shared by several web machines,
# e.g. NFS) or, with MEDIA_STORAGE=s3, in an S3-compatible bucket (django-storages).
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "studygroup.storage.StaticFilesStorage"
        ),
        # Static files are public: readable by nginx whoever ran collectstatic.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
            # Private objects; never overwrite one with another of the same name.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")
# Source maps (shipped with the vendored libraries) are for the browser's developer tools only.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv",
    "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv",
    "map",
]
# Tests run with DEBUG off but without collectstatic: let WhiteNoise find files where they are.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: without a broker, tasks run in-process so the embedded default needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The worker and beat log through LOGGING below (one JSON line per task), not Celery's format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Each worker writes a heartbeat into Redis this often; /healthz reports the worker down when
# none was written for three periods.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=15)
# The Redis key the heartbeat is written to (one per installation sharing a Redis).
WORKER_HEARTBEAT_KEY = env("WORKER_HEARTBEAT_KEY", default="studygroup:worker-heartbeat")

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="studygroup@localhost")

# Security headers and cookies; all on when DEBUG is off (check --deploy stays quiet).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# On by default when DEBUG is off (check --deploy stays clean); an office whose other
# subdomains still speak plain HTTP, or that may not be preloaded, turns them off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Turned off on purpose in the environment: check --deploy need not warn about that choice.
if "SECURE_HSTS_INCLUDE_SUBDOMAINS" in env.ENVIRON and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W005"]
if "SECURE_HSTS_PRELOAD" in env.ENVIRON and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from this site's static files,
# no inline script, style attribute or <style> element, no plugins, no framing, forms post only
# here. Scripts may still set element.style (ECharts, Bootstrap's popups): CSP allows that.
# The Django admin gets its own, looser policy (studygroup.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# manage.py benchmark_pages: a trivial logged-in page (one query, the same middleware) at
# /benchmark/baseline/, the baseline of its throughput. Off in production: only the gunicorn that
# the command starts for itself turns it on.
BENCHMARK_BASELINE_VIEW = env.bool("BENCHMARK_BASELINE_VIEW", default=False)

# Domain settings later issues read.
BACKFILL_AFTER_DAYS = env.int("BACKFILL_AFTER_DAYS", default=30)

# Logs go to standard error (journald or any collector takes them): one JSON object a line,
# with the request id of the request or task it belongs to (LOG_FORMAT=text for development).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "studygroup.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "studygroup.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # The request line of studygroup.observability replaces Django's own request warnings
        # for 4xx (an error's traceback still comes from django.request).
        "django.request": {"level": "ERROR"},
    },
}

# Meetings (sessions app): the sign-in window, sign-in codes and uploaded materials.
SIGN_IN_OPENS_MINUTES_BEFORE = env.int("SIGN_IN_OPENS_MINUTES_BEFORE", default=30)
SIGN_IN_LATE_AFTER_MINUTES = env.int("SIGN_IN_LATE_AFTER_MINUTES", default=10)
SIGN_IN_CODE_MAX_AGE_MINUTES = env.int("SIGN_IN_CODE_MAX_AGE_MINUTES", default=10)
# The size cap of uploaded materials (see the upload settings above).
MATERIAL_MAX_UPLOAD_MB = env.int("MATERIAL_MAX_UPLOAD_MB", default=20)

# Members' own work (issue 6): a reflection is due this many days after the meeting; anything
# submitted more than WORK_LATE_AFTER_DAYS after the date it belongs to is marked late; a copy
# check at or above this overlap is flagged to the reviewer.
REFLECTION_DUE_DAYS = env.int("REFLECTION_DUE_DAYS", default=14)
WORK_LATE_AFTER_DAYS = env.int("WORK_LATE_AFTER_DAYS", default=30)
WORK_COPY_FLAG_SCORE = env.float("WORK_COPY_FLAG_SCORE", default=0.6)

# Reminders and notifications (members.notifications.services, members.notifications.tasks, <app>/reminders.py).
# Quiet hours hold non-urgent pushes (e-mail, robots) until they end; the inbox always gets them.
QUIET_HOURS = (env("QUIET_HOURS_START", default="22:00"), env("QUIET_HOURS_END", default="07:00"))
# Staff collect the day's reading; the approver approves before this time, when it is pushed.
DAILY_READING_CUTOFF = env("DAILY_READING_CUTOFF", default="18:00")
# Meeting reminders: this long before the start (a day and an hour by default).
MEETING_REMINDER_DAY_BEFORE_HOURS = env.int("MEETING_REMINDER_DAY_BEFORE_HOURS", default=24)
MEETING_REMINDER_HOUR_BEFORE_MINUTES = env.int("MEETING_REMINDER_HOUR_BEFORE_MINUTES", default=60)
# Thresholds of the reminder rules (each task also takes them as kwargs, editable in the admin's
# periodic tasks without a deploy).
MAKEUP_REMIND_EVERY_DAYS = env.int("MAKEUP_REMIND_EVERY_DAYS", default=7)
REVIEW_WAITING_DAYS = env.int("REVIEW_WAITING_DAYS", default=3)
RECORDS_MISSING_AFTER_DAYS = env.int("RECORDS_MISSING_AFTER_DAYS", default=7)
RECTIFICATION_DUE_WITHIN_DAYS = env.int("RECTIFICATION_DUE_WITHIN_DAYS", default=7)
PROPOSAL_CALL_CLOSING_DAYS = env.int("PROPOSAL_CALL_CLOSING_DAYS", default=3)
APPROVAL_WAITING_DAYS = env.int("APPROVAL_WAITING_DAYS", default=3)
ESCALATE_AFTER_DAYS = env.int("ESCALATE_AFTER_DAYS", default=14)
# Deliveries: attempts before giving up (then shown to staff), and the backoff between them.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BACKOFF_SECONDS = env.int("NOTIFICATION_RETRY_BACKOFF_SECONDS", default=60)
# A delivery claimed this long ago and not finished was interrupted (a worker died mid-send).
NOTIFICATION_SENDING_LEASE_SECONDS = env.int("NOTIFICATION_SENDING_LEASE_SECONDS", default=600)
# Robot webhooks go only to the official hosts (DingTalk oapi.dingtalk.com, WeCom
# qyapi.weixin.qq.com, https) and to the hosts listed here (comma-separated, e.g. a province's
# 政务钉钉 deployment) or by the security administrator in the application. Only a listed host
# may resolve to a private or loopback address, or be reached over plain http.
ROBOT_EXTRA_HOSTS = env.list("ROBOT_EXTRA_HOSTS", default=[])
# Both services block a robot for ten minutes after 20 messages in a minute: the rest wait.
ROBOT_MESSAGES_PER_MINUTE = env.int("ROBOT_MESSAGES_PER_MINUTE", default=20)
# The window the services count a robot's messages in (a minute; tests shorten it).
ROBOT_WINDOW_SECONDS = env.int("ROBOT_WINDOW_SECONDS", default=60)
DINGTALK_TIMEOUT_SECONDS = env.float("DINGTALK_TIMEOUT_SECONDS", default=10)
WECOM_TIMEOUT_SECONDS = env.float("WECOM_TIMEOUT_SECONDS", default=10)
# Links in e-mails and robot posts need the site's address (no request there).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", default="[中心组学习] ")
# Redis: an unacknowledged task (acks_late, its worker died) is handed out again after this.
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={})
# The queue tasks go to when none is named (tests give each worker a private one).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# Reports (half-year reviews, bulletins): a process without collectstatic output (the Celery
# worker the tests start) names static files plainly instead of through the manifest.
if env.bool("STATICFILES_PLAIN", default=False):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
