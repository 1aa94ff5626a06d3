"""Settings for the partnership contract tracker.

Everything comes from environment variables (see the table in README.md).
With none set, the project runs on embedded defaults: a SQLite file and Celery
over kombu's filesystem transport, both under ``var/``.
"""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from partnerships.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRACKER_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env_bool("DJANGO_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_PRODUCTION is on")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_PRODUCTION is on")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["*"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_PRODUCTION is on")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "partnerships",
    "contracts",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "partnerships.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "partnerships.metrics.RequestMetricsMiddleware",
    # Last, so it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username/address pair before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "partnerships.urls"
WSGI_APPLICATION = "partnerships.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partnerships.context_processors.tracker",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://... for production), else a SQLite file.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")
try:
    # Health checks: a connection kept open (DB_CONN_MAX_AGE) is tested before a request reuses
    # it, so a restarted database costs a reconnect rather than one failed request per process.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0), conn_health_checks=True
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from None
DB_VENDOR = "postgresql" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
if DB_VENDOR == "sqlite":
    # A web process, a worker and a beat share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["partnerships.formats"]
TIME_ZONE = env_str("TRACKER_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("TRACKER_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/home/"
LOGOUT_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Throttle counters live in the default cache: Redis when CACHE_URL is set, so every
    # web process of a deployment shares them. DRF answers 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "partnerships.api.throttling.AnonRateThrottle",
        "partnerships.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "3000/minute"),
    },
    "EXCEPTION_HANDLER": "partnerships.api.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "partnerships.api.negotiation.FormatCheckingNegotiation",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnership contract tracker API",
    "DESCRIPTION": "Agreements, data-use grants, responsibilities, usage and alerts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation's error answers (400/401/403/404/409/415/429) and their bodies.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnerships.api.schema_errors.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Group operations by resource (agreements, organizations...) rather than all under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    # Swagger UI and Redoc from the installed sidecar package: deployments cannot reach a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several code lists share a field name ("status", "kind"): name their enums after the code list.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "contracts.codes.AgreementStatus",
        "MilestoneStatusEnum": "contracts.codes.MilestoneStatus",
        "MilestoneKindEnum": "contracts.codes.MilestoneKind",
        "PhaseKindEnum": "contracts.codes.PhaseKind",
        "OrganizationKindEnum": "partnerships.codes.OrganizationKind",
        "RefusalReasonEnum": "contracts.codes.RefusalReason",
        "GrantRequestStatusEnum": "contracts.codes.GrantRequestStatus",
        "GrantRequestKindEnum": "contracts.codes.GrantRequestKind",
        "GrantDecisionEnum": "contracts.codes.GrantDecision",
        "AlertKindEnum": "notifications.codes.ALERT_KIND_CHOICES",
        "AlertStatusEnum": "notifications.codes.AlertStatus",
        "ChannelKindEnum": "notifications.codes.ChannelKind",
        "NotificationStatusEnum": "notifications.codes.NotificationStatus",
        "DeliveryAttemptStatusEnum": "notifications.codes.AttemptStatus",
    },
}

# Cache: Redis when CACHE_URL is set (shared by all processes), else per-process memory.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Brute-force protection: after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for the cool-off period (attempts are kept in the database).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partnerships.security.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0, minimum=0) or None

# Content security policy: everything is served from our own origin (static files are vendored).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Celery: embedded default is kombu's filesystem transport under var/broker.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any countdown or ETA we publish (the longest is a delivery retry, one hour).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600, minimum=1),
    # A publisher that cannot reach the broker gives up at once (about 0.3 s instead of 6 s of
    # retries inside a web request); the sweepers publish the work later. Workers keep their
    # own reconnect loop (broker_connection_retry), which this does not change.
    "max_retries": 0,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # How often a worker looks for messages whose worker died (older than the visibility timeout).
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10, minimum=1)
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10, minimum=1)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(BROKER_DIR / "queue"),
            "data_folder_out": str(BROKER_DIR / "queue"),
            "control_folder": str(BROKER_DIR / "control"),
            "store_processed": False,
        }
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILE = str(VAR_DIR / "celerybeat-schedule")

# OpenAPI: grants and agreements both have a "status" code list; give the grants' enum its own name.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["PermissionStatusEnum"] = "contracts.codes.PermissionStatus"

# Email: Django's backends; console by default.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")

# Product settings.
USAGE_EVENTS_MAX_BODY_BYTES = env_int("USAGE_EVENTS_MAX_BODY_BYTES", 512 * 1024 * 1024, minimum=1)
# OpenAPI: a grant's purposes and a declaration's purpose are one code list; give it one enum name.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["PurposeEnum"] = "contracts.codes.Purpose"
UNDECLARED_USAGE_TOLERANCE = env_int("UNDECLARED_USAGE_TOLERANCE_PERCENT", 10, minimum=0)
# A grant request still undecided after this many days alerts the officers' supervisors.
GRANT_REQUEST_OVERDUE_DAYS = env_int("GRANT_REQUEST_OVERDUE_DAYS", 10, minimum=1)
GRANT_REQUEST_ATTACHMENT_MAX_BYTES = env_int("GRANT_REQUEST_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# Agreement documents (signed contracts, amendments, reports): larger uploads are refused (400).
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# OCDS exports: the ocid prefix registered with the Open Contracting Partnership, and the publisher's name.
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-tracker")
OCDS_PUBLISHER_NAME = env_str("OCDS_PUBLISHER_NAME", "Partnership contract tracker")

# Scope check and alerts (notifications app).
# Events received less than this long ago wait for the next scan, so a slower ingest
# transaction holding lower event ids can commit first.
SCOPE_SCAN_SETTLE_SECONDS = env_int("SCOPE_SCAN_SETTLE_SECONDS", 10, minimum=0)
# Memory the event scan may use for grouping before PostgreSQL spills to disk.
SCOPE_SCAN_WORK_MEM = env_str("SCOPE_SCAN_WORK_MEM", "128MB")
if not re.fullmatch(r"\d+(kB|MB|GB)", SCOPE_SCAN_WORK_MEM):
    raise ImproperlyConfigured("SCOPE_SCAN_WORK_MEM must look like 64MB")
# A declaration still pending this long after submission is re-published by the sweeper.
DECLARATION_SWEEP_AFTER_SECONDS = env_int("DECLARATION_SWEEP_AFTER_SECONDS", 30, minimum=0)
ALERT_REMINDER_MINUTES = env_int("ALERT_REMINDER_MINUTES", 24 * 60, minimum=1)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30, minimum=1)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600, minimum=1)
CHANNEL_DISABLE_AFTER_FAILURES = env_int("CHANNEL_DISABLE_AFTER_FAILURES", 5, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Webhooks go only to public addresses (no loopback, private, link-local, reserved, multicast or
# unspecified ones: a webhook must not become a way into the tracker's own network). Receivers
# on premises are let in by listing their networks here, as CIDRs: "10.20.0.0/16,192.168.5.7/32".
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS must list networks like 10.20.0.0/16, not {_network!r}") from None
CELERY_MAX_DELIVERIES = env_int("CELERY_MAX_DELIVERIES", 5, minimum=1)
if NOTIFICATION_RETRY_MAX_SECONDS >= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] and not CELERY_BROKER_URL.startswith("filesystem://"):
    # A countdown longer than the visibility timeout would be handed out twice by Redis.
    NOTIFICATION_RETRY_MAX_SECONDS = max(1, CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] // 2)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 3600, minimum=300)
    SESSION_COOKIE_SAMESITE = "Lax"
    CSRF_COOKIE_HTTPONLY = True

# Structured logs: one JSON object per line in production (LOG_FORMAT=json), for log shippers.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# /metrics for Prometheus: open in development; in production only with this bearer token.
METRICS_TOKEN = env_str("METRICS_TOKEN")
