"""foldcard settings, read from the environment, and from a .env file in the project folder
for what the environment does not set (`make run` writes one with DEBUG=1).

DEBUG          "1" for development; off by default, and then SECRET_KEY and
               ALLOWED_HOSTS must be set.
SECRET_KEY     required unless DEBUG is on.
ALLOWED_HOSTS  comma-separated host names.
DATABASE_URL   e.g. postgres://user:pass@host:5432/foldcard; a SQLite file in the
               project folder when unset.
MEDIA_ROOT     where card photos are stored; "media" in the project folder when unset.
AWS_STORAGE_BUCKET_NAME  keep card photos in this S3 bucket instead (foldcard/storage.py
               lists the other AWS_* variables).
TIME_ZONE      IANA name (default UTC): new conferences take it as their own, and the
               site counts today's follow-ups and snoozes in it.
STATIC_ROOT    where collectstatic puts the static files; "staticfiles" when unset.
IMPORT_MAX_MB  the largest file of people that can be imported (default 50).
WEBHOOKS_ALLOW_PRIVATE  "1" lets webhooks go to private and loopback addresses (a CRM on
               the same network); off by default, against server-side request forgery.
SECURE_PROXY_SSL_HEADER_NAME  the header a TLS-terminating proxy sets, e.g.
               HTTP_X_FORWARDED_PROTO (its value must then be "https").
TRUSTED_PROXY_COUNT  how many proxies in front append to X-Forwarded-For (0 when unset).
SECURE_SSL_REDIRECT  "0" serves plain HTTP with DEBUG off (a trial without TLS).
SECURE_HSTS_SECONDS  how long browsers keep to HTTPS (a year when unset).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from foldcard.storage import photo_storage

BASE_DIR = Path(__file__).resolve().parent.parent

# So that `manage.py backup` and the like work as the README writes them, without typing
# the settings again; a variable set in the environment wins over the file.
load_dotenv(BASE_DIR / ".env")


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for development)")
    SECRET_KEY = "foldcard-development-only-not-secret"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names foldcard is served as")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "events",
    "contacts",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "foldcard.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "foldcard.http.CompressPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "foldcard.middleware.PrivateCacheMiddleware",
    "foldcard.middleware.JSONNotFoundMiddleware",
    "foldcard.middleware.StorageUnavailableMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "foldcard.auth.Backend",
    # Serves the sessions logged in before foldcard.auth.Backend, until they end.
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "foldcard.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "foldcard.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # A connection kept for the next requests (checked first: CONN_HEALTH_CHECKS below)
        # saves each request opening one, about 10 ms on PostgreSQL.
        conn_max_age=int(os.getenv("CONN_MAX_AGE", "60")),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the booth page read while a card is written; IMMEDIATE transactions take
    # the write lock up front instead of failing with "database is locked" half-way; a
    # 64 MB page cache holds the follow-up indexes of 100,000 cards.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    # No JIT compiling: the follow-up list's queries stop after a page or a capped count,
    # which PostgreSQL cannot foresee, so it would spend 50 to 1,500 ms compiling plans
    # that then run in a few milliseconds (README, Performance).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "events-home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# The REST API: JSON only (no browsable API), errors as problem details, throttled per
# token. Each server process counts in its own memory (the default cache), so with several
# processes a token may make up to that many times API_RATE_LIMIT requests.
API_RATE_LIMIT = os.getenv("API_RATE_LIMIT", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "EXCEPTION_HANDLER": "api.exceptions.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "foldcard API",
    "DESCRIPTION": "Log cards, read the follow-up list and decode folds.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
        "api.schema.require_the_cards_version",
    ],
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": photo_storage(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "foldcard.storage.StaticFilesStorage"
    },
}

# Reading a card's photo at the booth answers within this many seconds, with what it has.
READING_TIME_LIMIT = float(os.getenv("READING_TIME_LIMIT", "4"))

# Background work (follow-up emails, and what else should not keep a request waiting) is
# queued in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Webhooks go to public addresses only unless allowed (webhooks/addresses.py); an endpoint
# has this many seconds to answer a delivery.
WEBHOOKS_ALLOW_PRIVATE = envbool("WEBHOOKS_ALLOW_PRIVATE", "0")
WEBHOOKS_TIMEOUT = 10

# Email, with Django's own setting names. Without EMAIL_HOST a development server prints
# the emails it would send; a production server sends to localhost's port 25.
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "foldcard <foldcard@localhost>")
# Where the site is reached, for links in emails.
SITE_URL = os.getenv("SITE_URL", "http://localhost:8000").rstrip("/")
if DEBUG and not os.getenv("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Request limits: a booth card is a few short fields and one photo (checked for size by
# contacts.photos, as uploaded files are not counted here).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# The largest file of people a manager may import (CSV or vCards); a larger upload is
# refused from its Content-Length, before its body is read.
IMPORT_MAX_BYTES = int(os.getenv("IMPORT_MAX_MB", "50")) * 1024 * 1024

X_FRAME_OPTIONS = "DENY"

# No inline script anywhere: pages load their scripts from /static/ and hand data over in
# json_script blocks. Style attributes carry the meaning colours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Five wrong passwords for one user name from one address lock that pair for 15 minutes
# (a booth's visitors share one address: lock the pair, not the address).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "foldcard.views.csrf_failure"

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.getenv("SECURE_PROXY_SSL_HEADER_NAME"):
        SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER_NAME"], "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Several web servers and workers on one database: nothing that must be shared is kept in
# a process. Card photos go to an S3 bucket when one is configured (foldcard/storage.py);
# sessions and failed logins are kept in the database (Django's database sessions, read
# by foldcard/sessions.py, and django-axes' default: the cache is a process's memory); a
# connection kept open (CONN_MAX_AGE) is checked before it is reused, so that a restarted
# database costs no failed request.
SESSION_ENGINE = "foldcard.sessions"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Behind a proxy every request comes from the proxy's address: the lockout must count the
# person's address from X-Forwarded-For, or one person's wrong passwords lock everyone out.
TRUSTED_PROXY_COUNT = int(os.getenv("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "foldcard.proxy.client_ip"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
