"""Settings for the eldercare platform: one module, every difference between
development and production is an environment value (see README,
"Configuration reference")."""

import logging
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(environ.Env().str("ELDERCARE_DATA_DIR", default=str(BASE_DIR / ".data")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

# Development-only fallbacks: with DEBUG off, every secret must come from
# the environment, and check --deploy rejects these values anyway.
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"


def _secret(name: str, dev_value: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_value
    raise ImproperlyConfigured(
        f"{name} is not set. Set it in the environment, or set DEBUG=true for development."
    )


SECRET_KEY = _secret("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Personal data at rest: Fernet keys for encrypted columns (newest first; the
# others still decrypt, which is how keys are rotated) and a separate key for
# the keyed hash used to search identity numbers exactly.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    _secret("FIELD_ENCRYPTION_KEY", "dev-only-field-encryption-key")
]
IDENTITY_HASH_KEY = _secret("IDENTITY_HASH_KEY", "dev-only-identity-hash-key")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "apps.core",
    "apps.regions",
    "apps.accounts",
    "apps.audit",
    "apps.policy",
    "apps.workdays",
    "apps.catalogue",
    "apps.providers",
    "apps.elders",
    "apps.applications",
    "apps.subsidies",
    "apps.assessments",
    "apps.facilities",
    "apps.contracts",
    "apps.evaluations",
    "apps.caremanagers",
    "apps.careplans",
    "apps.visits",
    "apps.complaints",
    "apps.findings",
    "apps.settlement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.audit.middleware.AuditContextMiddleware",
    "apps.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eldercare.urls"
WSGI_APPLICATION = "eldercare.wsgi.application"

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
                "apps.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL only --------------------------------------------

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from eldercare.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(DATA_DIR / "postgres")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("PostgreSQL is the only supported database.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Authentication, sessions, lockout -----------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Shared office PCs: the session ends with the browser and after an idle
# period (sliding expiry: every request renews it).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lock a username on one address after repeated failures, so that one
# office behind a NAT is not locked out by a single colleague.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None

# --- Security headers ------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Everything is served locally (government intranets have no CDN access).
# Inline styles are allowed for Django admin's style attributes; scripts
# never run inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation: Chinese first, English available --------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents live outside the web root; only scoped views serve them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Scans and photos attached to applications (PDF, JPEG, PNG).
APPLICATION_DOCUMENT_MAX_BYTES = env.int("APPLICATION_DOCUMENT_MAX_BYTES",
                                         default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o600
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
REFERENCE_DATA_DIR = BASE_DIR / "fixtures"

# --- API -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "apps.visits.authentication.ProviderTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["apps.core.filters.ScopedFilterBackend"],
    # JSON only: the API serves systems; staff work in the HTML screens, and
    # /api/docs/ documents every endpoint.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Eldercare administration API",
    "DESCRIPTION": "Community home-based eldercare: every endpoint is scoped to the "
    "caller's jurisdiction.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "apps.applications.models.Status",
        "ApplicationKindEnum": "apps.applications.models.Kind",
        "EntitlementStatusEnum": "apps.subsidies.models.EntitlementStatus",
        "FacilityStatusEnum": "apps.facilities.models.FacilityStatus",
        "GradeEnum": "apps.evaluations.models.Grade",
        "ServiceCategoryEnum": "apps.catalogue.models.ServiceCategory",
        "ContactRoleEnum": "apps.elders.models.ContactRole",
        "StaffRoleEnum": "apps.providers.models.StaffRole",
        "VisitReasonEnum": "apps.visits.reasons.Reason",
        "VisitFlagEnum": "apps.visits.reasons.Flag",
        "VisitOutcomeEnum": "apps.visits.models.Outcome",
        "VisitChannelEnum": "apps.visits.models.Channel",
        "CheckMethodEnum": "apps.visits.models.CheckMethod",
        "VisitConfirmationEnum": "apps.visits.models.Confirmation",
        "PlanStatusEnum": "apps.careplans.models.PlanStatus",
        "AgreementStatusEnum": "apps.careplans.models.AgreementStatus",
        "AgreementEndReasonEnum": "apps.careplans.models.AgreementEndReason",
        "ComplaintCategoryEnum": "apps.complaints.models.ComplaintCategory",
    },
}

# --- Celery ----------------------------------------------------------------
# With no broker configured, tasks run eagerly in-process (apps.core says so
# at startup); with one, a real worker and beat run them.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL) or None
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 600_000  # KiB; WeasyPrint workers grow
# The visibility timeout must exceed the longest task, or Redis redelivers it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The settlement runs of the previous month start on this working day of the
# month (on the holiday calendar); compute tasks run on their own queue.
SETTLEMENT_WORKING_DAY = env.int("SETTLEMENT_WORKING_DAY", default=3)
CELERY_TASK_ROUTES = {"apps.settlement.tasks.compute_run_task": {"queue": "settlement"},
                      "apps.settlement.tasks.render_documents_task": {"queue": "pdf"}}
CELERY_BEAT_SCHEDULE = {
    # 05:00 every day: on the settlement day, the previous month's runs start.
    "start-settlement-runs": {
        "task": "apps.settlement.tasks.start_due_runs_task",
        "schedule": crontab(hour=5, minute=0),
    },
    # 07:30 every day: each office gets its overdue and due-soon applications.
    "flag-deadlines": {
        "task": "apps.applications.tasks.flag_deadlines_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:00 every day: warn administrators before deadlines reach a year
    # whose official holiday schedule has not been entered.
    "check-calendar-coverage": {
        "task": "apps.workdays.tasks.check_calendar_coverage_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # 02:00 on the 1st: compile last month's assessment fee statements (Art 21).
    "compile-fee-statements": {
        "task": "apps.assessments.tasks.compile_fee_statements_task",
        "schedule": crontab(hour=2, minute=0, day_of_month=1),
    },
    # 06:00 every day: request the routine re-assessments that have fallen due.
    "request-routine-reassessments": {
        "task": "apps.assessments.tasks.request_routine_reassessments_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # 00:30 every day: evaluation results whose appeal window has closed
    # without an appeal become final (Art 23).
    "finalise-evaluations": {
        "task": "apps.evaluations.tasks.finalise_evaluations_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # 00:40 every day: contracts whose term has run out are marked expired.
    "expire-contracts": {
        "task": "apps.contracts.tasks.expire_contracts_task",
        "schedule": crontab(hour=0, minute=40),
    },
    # 03:00 on the 1st: assign last month's follow-up calls (回访) in every district;
    # on the 10th and 20th top up for the visits providers submitted late.
    "sample-follow-ups": {
        "task": "apps.visits.tasks.sample_follow_ups_task",
        "schedule": crontab(hour=3, minute=0, day_of_month="1,10,20"),
    },
    # 04:00 on the 2nd: audit last month in every district, before its
    # settlement run starts (the 3rd working day at the earliest).
    "audit-previous-month": {
        "task": "apps.findings.tasks.audit_previous_month_task",
        "schedule": crontab(hour=4, minute=0, day_of_month=2),
    },
    # 00:50 every day: service agreements whose term ran out, or whose elder's
    # entitlement ended with no successor, are ended (after the contracts).
    "expire-agreements": {
        "task": "apps.careplans.tasks.expire_agreements_task",
        "schedule": crontab(hour=0, minute=50),
    },
}

# --- Logging ---------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # identity and phone numbers masked in whatever reaches the log, from any
    # logger (apps.core.logfilters also masks them on Django's request loggers)
    "filters": {"mask_numbers": {"()": "apps.core.logfilters.MaskNumbers"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["mask_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # SQL parameters, and (at DEBUG) a failed template lookup's whole context,
    # would carry personal data: these two never log below their level
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "django.template": {"level": "INFO"}},
}
logging.captureWarnings(True)

# Checks silenced by operators (for example calendar.W001 in a deploy gate
# that runs before the next year's holiday schedule is published).
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

PGHISTORY_APPEND_ONLY = True
# Triggers on auto-created M2M tables (staff group membership) are not in
# migrations; pgtrigger installs them after every migrate.
PGTRIGGER_INSTALL_ON_MIGRATE = True

APP_NAME = _("Home-based eldercare administration")
