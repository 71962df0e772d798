"""Settings for Desa Jaminan, all read from the environment through one django-environ `env`.

With no environment at all the app runs for development: SQLite, Celery in eager mode, DEBUG on.
Production sets DJANGO_DEBUG=False and must then provide every secret; a missing or malformed value
stops the start with ImproperlyConfigured.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _bool(name: str, default: bool) -> bool:
    """A switch: true/false, yes/no, on/off, 1/0. Anything else stops the start instead of reading as False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")
    return raw in _TRUE


DEBUG = _bool("DJANGO_DEBUG", default=True)


def _secret(name: str, dev_default: str) -> str:
    """A secret has a default only while DEBUG is on; production must set it."""
    if DEBUG:
        return env.str(name, default=dev_default)
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG is off.")
    return value


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# NIK is personal data (UU PDP 27/2022): encrypted at rest with Fernet, looked up by a keyed hash.
# The first encryption key encrypts; all of them decrypt, so keys can be rotated.
NIK_ENCRYPTION_KEYS = _secret("NIK_ENCRYPTION_KEYS", "ZGV2LW9ubHktbmlrLWtleS1kby1ub3QtdXNlLTAwMDA=").split(",")
NIK_HASH_KEY = _secret("NIK_HASH_KEY", "dev-only-nik-hash-key")

INSTALLED_APPS = [
    "desa_jaminan.apps.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "import_export",
    "django_celery_beat",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "previews",
    "villages",
    "enrollment",
    "budgets",
    "submissions",
    "bpjs",
    "changes",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.replica.ReplicaReadsMiddleware",
    "csp.middleware.CSPMiddleware",
    "desa_jaminan.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "desa_jaminan.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.security.IdleTimeoutMiddleware",
    "accounts.security.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "desa_jaminan.urls"
WSGI_APPLICATION = "desa_jaminan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.unread_notifications",
                "accounts.context_processors.menu",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database host that does not answer fails a request (and /healthz) in seconds, not after the
    # operating system's TCP timeout of minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # PostgreSQL's JIT compiles a plan when its estimated cost is high: on the national comparison of
    # regencies it spent 4.7 s of an 8.4 s query compiling. The app's queries are short; no JIT.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# A PostgreSQL streaming replica for the dashboards' reads (core.db_router, core.replica): views marked
# @replica_reads read from it, except for REPLICA_STICKY_SECONDS after the browser wrote something
# (read-your-writes). Writes and migrations always go to the primary. Unset: everything from the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=10)
REPLICA_DATABASE = None
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
        DATABASES["replica"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Tests read through the default database's connection: no second test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    REPLICA_DATABASE = "replica"
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: five wrong passwords lock the username from that address for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind reverse proxies, how many of them stand in front (each appends to X-Forwarded-For). With 0 the
# header is ignored: the client is REMOTE_ADDR. Used for lockouts and the account activity.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"

# Sessions of office roles end after a time without activity; a village head's phone keeps its session.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_IDLE_TIMEOUT_ROLES = env.list("SESSION_IDLE_TIMEOUT_ROLES", default=["dpmd", "bpjs", "province", "superuser"])
SESSION_EXPIRE_AT_BROWSER_CLOSE = _bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents are personal data: they live outside any public URL and are served by scoped views.
MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")

# Officials files (Excel/CSV): refused above these limits; above INLINE_ROWS checked by a Celery task.
ROSTER_IMPORT_MAX_ROWS = env.int("ROSTER_IMPORT_MAX_ROWS", default=5000)
ROSTER_IMPORT_MAX_BYTES = env.int("ROSTER_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
ROSTER_IMPORT_INLINE_ROWS = env.int("ROSTER_IMPORT_INLINE_ROWS", default=200)
# Documents (KTP, KK, SK): PDF, JPG or PNG, checked by their content, up to this size; a photo (JPG, PNG)
# up to the larger size a phone camera makes.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=2 * 1024 * 1024)
DOCUMENT_IMAGE_MAX_BYTES = env.int("DOCUMENT_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
# A photo with more pixels is refused before it is decoded (a small file can unpack into gigabytes); what
# is accepted is stored reduced to a legible size (core.uploads.photo_reduce).
DOCUMENT_IMAGE_MAX_PIXELS = env.int("DOCUMENT_IMAGE_MAX_PIXELS", default=50_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Desa Jaminan <noreply@desajaminan.local>")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # A Redis that does not answer fails a cache read in seconds instead of holding the request.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    # One process's memory: for development and tests only (a second process would not see it). Room for
    # the coverage figures of every regency (enrollment.figures), two entries each.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Tasks that write are acknowledged only once they have finished, and a task whose pool process died (the
# OOM killer, a deploy) goes back to the queue instead of being lost: every task is idempotent, and an
# import counts its attempts (villages.roster_import.services.MAX_ATTEMPTS) so a file that kills the
# worker every time ends failed instead of looping.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands a message not acknowledged within visibility_timeout to another worker. It must exceed the
# longest task time limit (an acknowledged-late task still running would otherwise run twice at once),
# and is kept not much longer: it is how long a message held by a worker that vanished waits to be run.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 15 * 60,
    # An upload or a confirmation while Redis does not answer is told so in seconds.
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
# Publishing gives up after about a second: the page then says the queue is unavailable.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
# A task record (an officials file being checked or saved, a regency being set up) that showed no sign of
# life for this long is marked failed, with a "try again" choice, by the beat task below. Longer than
# the task time limit of those tasks (10 minutes), so a task still running is never taken for stalled.
TASK_STALL_MINUTES = env.int("TASK_STALL_MINUTES", default=15)
# The national and province officials exports (they hold NIKs) are deleted this many days after they start.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=3)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Task modules outside the apps' tasks.py.
CELERY_IMPORTS = ["enrollment.trend", "enrollment.figures"]
CELERY_BEAT_SCHEDULE = {
    # Today's coverage figures of every regency counted (and cached) before anybody opens a dashboard:
    # after midnight all of them, during the day those written to since the last run.
    "coverage-figures-warm": {
        "task": "enrollment.figures_warm",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "coverage-snapshots": {
        "task": "enrollment.trend.coverage_snapshots_refresh",
        "schedule": crontab(hour=1, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "deactivate-unpaid-jkn": {
        "task": "budgets.enrollments_deactivate_unpaid",
        "schedule": crontab(hour=1, minute=15),  # daily; acts only after the 10th, the JKN due date
        "options": {"expires": 6 * 60 * 60},
    },
    # Uploads that hold NIKs are not kept for ever.
    "discard-stale-imports": {
        "task": "villages.discard_stale_imports",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "fail-stalled-imports": {
        "task": "villages.fail_stalled_imports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "fail-stalled-onboardings": {
        "task": "accounts.fail_stalled_onboardings",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "expire-exports": {
        "task": "enrollment.export_jobs_expire",
        "schedule": crontab(hour=2, minute=20),
        "options": {"expires": 6 * 60 * 60},
    },
    "discard-stale-previews": {
        "task": "previews.discard_stale_previews",
        "schedule": crontab(hour=2, minute=10),
        "options": {"expires": 6 * 60 * 60},
    },
    "deadline-reminders": {
        "task": "enrollment.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),  # 07:00 WIB, when the village office opens
        "options": {"expires": 6 * 60 * 60},
    },
    "deadline-soon": {
        "task": "enrollment.send_deadline_soon",
        "schedule": crontab(hour=7, minute=10),
        "options": {"expires": 6 * 60 * 60},
    },
    "bpjs-queue-digests": {
        "task": "bpjs.send_queue_digests",
        "schedule": crontab(hour=7, minute=30),  # before the branch office opens its queue
        "options": {"expires": 6 * 60 * 60},
    },
}

REST_FRAMEWORK = {
    # The token scheme first: DRF answers "not authenticated" with the first class's WWW-Authenticate
    # header, so an anonymous caller gets a 401 on every endpoint (session first would make it a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.security.PasswordChosen",
    ],
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    # A JSON body must be an object (core.api_input); forms and files come as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "core.api_input.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Desa Jaminan API",
    "DESCRIPTION": "Social-security coverage of village officials, scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {"SubmissionStatusEnum": "submissions.models.Submission.Status"},
}
# Full links in emails ("https://desajaminan.example.go.id"); pages use relative links.
SITE_URL = env.str("SITE_URL", default="")

# Production hardening: on whenever DEBUG is off, each switchable for a deployment behind a proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = _bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp), in development as in production: every script, style and
# font comes from the app itself, no inline script, style attribute or event handler (a test reads
# every template), no plugin, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "frame-ancestors": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
    }
}
# Browser features no page uses, switched off (desa_jaminan.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=(), serial=(), hid=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # django-axes logs every log-in at INFO; only lockouts and failures matter.
    "loggers": {"axes": {"level": "WARNING"}},
}
