"""Django settings. Everything that differs between machines comes from environment variables.

Embedded default: SQLite file in the project, tasks run in-process. Scale-out: set DATABASE_URL
(PostgreSQL), CELERY_BROKER_URL (Redis) and CACHE_URL (Redis); deploy/env.example lists every variable.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("ALLOW_GENERATED_SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fresh key per process (sessions do not survive a restart).
    SECRET_KEY = get_random_secret_key()
# Rotation: the previous key(s), still accepted for signatures (sessions) until removed (deploy/RUNBOOK.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = (
    "config.errors.csrf_failure"  # in the site's layout and language, never Django's English page
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "kit",  # the Vietnamese collation on SQLite connections (kit/collation.py)
    "respondents",
    "surveys",
    "scoring",
    "fieldwork",
    "analysis",
    "archive",
    "audit",
    "jobs",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "kit.input_guard.RefuseUnstorableInput",  # NUL / broken Unicode in URL or form: 400 (D133)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.sessions.IdleTimeoutMiddleware",  # a logged-in session ends after SESSION_IDLE_MINUTES idle
    "audit.context.AuditContextMiddleware",  # client address for audit events recorded by services
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
            # The navigation (config/navigation.py) and the number format (kit/numbers.py) for every
            # template: the apps' templates name the libraries, never the modules above them.
            "libraries": {"navigation": "config.navigation"},
            "builtins": ["kit.templatetags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,  # a persistent connection broken by a database restart is replaced
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once. IMMEDIATE: a transaction takes the write lock when
    # it begins, so one that reads then writes (claiming messages) waits its turn instead of failing
    # with "database is locked" when another thread or sending process wrote in between.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # WAL: pages stay readable while the background sender writes, and a commit costs no fsync of a
    # rollback journal. synchronous=NORMAL is safe against a crash of the process; a power cut may lose
    # the last commits (a message then goes again, or a link sent just before the cut does not open).
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one user name from one address
# lock that pair out for AXES_COOLOFF_TIME, even with the right password. Keyed on the pair, not on the
# address alone, because a whole department often reaches the internet through one address
# (docs/decisions.md D36).
# Unlock early: `manage.py axes_reset_username NAME` (or axes_reset_ip ADDRESS, axes_reset for all).
AUTHENTICATION_BACKENDS = [
    "config.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kit.client_ip.client_ip"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "config.auth.axes_username"  # cut to axes' 255-character column
# Per client address, whatever the user name (config/auth.py, docs/decisions.md D136): more than this
# many failed logins from one address in any LOGIN_ADDRESS_WINDOW seconds, and logins from it are refused
# before any password is hashed until the oldest failures leave the window (an office behind one
# address waits a minute at most). The lockout above still applies per user name and address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 10)
LOGIN_ADDRESS_WINDOW = env_int("LOGIN_ADDRESS_WINDOW", 60)

# Sessions of logged-in users (every role that logs in: respondents answer through their personal link,
# without a session). The cookie ends with the browser (shared office computers), and the session ends
# after SESSION_IDLE_MINUTES without a request: its expiry moves forward on activity (config/sessions.py,
# docs/decisions.md D138).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by the web process itself (whitenoise): with DEBUG off from STATIC_ROOT, filled
# by `manage.py collectstatic`, with hashed names and compressed copies cached for ever by browsers.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "kit.staticfiles.ManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG  # development: straight from the source folders
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files made by background jobs (jobs/): private, served only by the job's download view to whom may see it.
JOBS_ROOT = Path(env_str("JOBS_ROOT", str(BASE_DIR / "private" / "jobs")))
# The Celery queue jobs are sent to when a broker is configured (tests send them to a queue of their own).
JOBS_CELERY_QUEUE = env_str("JOBS_CELERY_QUEUE", "celery")
# A job's file is deleted this many days after it was made (exports hold personal data): decisions.md D454.
JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 7)

# Uploads: respondent lists are at most 20 MB (the importer checks again with a clear message).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
RESPONDENT_FILE_MAX_BYTES = env_int("RESPONDENT_FILE_MAX_BYTES", 20 * 1024 * 1024)
RESPONDENT_FILE_MAX_ROWS = env_int("RESPONDENT_FILE_MAX_ROWS", 100_000)
# A device's usual submission skips DRF's request machinery and reads its token and assignment in one
# round trip (fieldwork/api/fast.py, decisions.md D460); 0 sends every request through the DRF view.
FIELD_API_FAST_PATH = env_bool("FIELD_API_FAST_PATH", default=True)

# E-mail (Django 6.1 mailers): SMTP by default; EMAIL_BACKEND=console prints messages in development.
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_BACKENDS = {"smtp": _SMTP, "console": "config.mail.ConsoleBackend"}  # readable, not base64
EMAIL_BACKEND_NAME = env_str("EMAIL_BACKEND", "smtp")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKENDS.get(EMAIL_BACKEND_NAME, EMAIL_BACKEND_NAME),
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "use_ssl": env_bool("EMAIL_USE_SSL"),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        }
        if EMAIL_BACKEND_NAME in ("smtp", _SMTP)
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sở Nội vụ <no-reply@localhost>")

# Twilio (SMS reminders). The SDK is only called when these are set.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")

# Unsubscribing and bounces (docs/decisions.md D257). UNSUBSCRIBE_MAILTO adds a mailto to List-Unsubscribe.
UNSUBSCRIBE_MAILTO = env_str("UNSUBSCRIBE_MAILTO")
# A mailbox that receives bounces, polled over IMAP by `poll_bounces` (and the scheduler when set).
BOUNCE_IMAP_HOST = env_str("BOUNCE_IMAP_HOST")
BOUNCE_IMAP_PORT = env_int("BOUNCE_IMAP_PORT", 993)
BOUNCE_IMAP_SSL = env_bool("BOUNCE_IMAP_SSL", True)
BOUNCE_IMAP_USER = env_str("BOUNCE_IMAP_USER")
BOUNCE_IMAP_PASSWORD = env_str("BOUNCE_IMAP_PASSWORD")
BOUNCE_IMAP_FOLDER = env_str("BOUNCE_IMAP_FOLDER", "INBOX")
BOUNCE_IMAP_TIMEOUT = env_int("BOUNCE_IMAP_TIMEOUT", 30)
# A mail provider's bounce webhook authenticates with this shared secret (header X-Bounce-Secret).
BOUNCE_WEBHOOK_SECRET = env_str("BOUNCE_WEBHOOK_SECRET")
# E-mail addresses are checked at import for syntax; with this also for a domain that accepts mail (DNS).
EMAIL_CHECK_DELIVERABILITY = env_bool("EMAIL_CHECK_DELIVERABILITY")

# Public address of the site: personal survey links (e-mail, SMS) and Twilio's status callback start here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Processes that send one queue side by side (send_invitations; Celery: tasks fanned out per round). Each
# claims its own batches (surveys/services/messaging/sending.py), so more workers never send anything twice.
SENDING_WORKERS = env_int("SENDING_WORKERS", 2)
# A `sending` claim older than this belongs to a dead worker and is taken again
# (surveys/services/messaging/sending.py).
SENDING_LEASE_SECONDS = env_int("SENDING_LEASE_SECONDS", 600)
# Automatic retry while a mail or SMS server is down (or answers "try later"): after base, 2 x base, 4 x base
# ... seconds, at most max apart, at most limit times; then what is left waits for the next run (tasks.py).
SENDING_RETRY_BASE_SECONDS = float(env_str("SENDING_RETRY_BASE_SECONDS", "30"))
SENDING_RETRY_MAX_SECONDS = float(env_str("SENDING_RETRY_MAX_SECONDS", "900"))
SENDING_RETRY_LIMIT = env_int("SENDING_RETRY_LIMIT", 8)

# Background tasks: in-process unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis gives an unacknowledged task (acks_late: its worker was killed) to another worker after this many
# seconds; it must exceed SENDING_RETRY_MAX_SECONDS, since a retry waits unacknowledged on a worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# The scheduler (`celery -A config beat`): reminders that are due, for every campaign whose survey is open
# (surveys/tasks.py). Queuing is idempotent, so a run that overlaps another or runs twice sends nothing twice.
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {
        "task": "surveys.tasks.send_due_reminders_task",
        "schedule": env_int("REMINDER_INTERVAL_MINUTES", 60) * 60,
    },
}
if BOUNCE_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["poll-bounces"] = {
        "task": "surveys.tasks.poll_bounces_task",
        "schedule": env_int("BOUNCE_POLL_MINUTES", 15) * 60,
    }
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", "celerybeat-schedule")

# Cache: counters of the rate limits (kit/ratelimit.py). Per process unless CACHE_URL (or REDIS_URL)
# names a Redis server; with several web processes or machines set it, so that limits are shared. The
# cache is never a dependency: while it does not answer, limits count per process (docs/decisions.md
# D131), so the short timeouts keep a dead or unreachable Redis from slowing requests down.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Personal links: a client address that asked for TOKEN_MISS_LIMIT unknown links in the last
# TOKEN_MISS_WINDOW seconds (a sliding window) gets 429 for further unknown links until they leave the
# window; valid links always open (surveys/views/respondent.py, docs/decisions.md D132).
TOKEN_MISS_LIMIT = env_int("TOKEN_MISS_LIMIT", 20)
TOKEN_MISS_WINDOW = env_int("TOKEN_MISS_WINDOW", 60)
# Reverse proxies in front of the web processes that append to X-Forwarded-For (0: clients connect
# directly, REMOTE_ADDR is the client). Used for the client address of rate limits and login lockout.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# API tokens (devices, scripts): stored as a digest, valid this many days from issue; `manage.py
# field_token USER --rotate` issues a new one (respondents/services/api_tokens.py, docs/decisions.md D134).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

REST_FRAMEWORK = {
    # Token first: a caller without credentials gets 401 with `WWW-Authenticate: Token` rather than 403
    # (DRF answers with the first class's header); sessions work as before, CSRF included.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "respondents.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PAR INDEX / SIPAS survey API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# HTTPS and security headers. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so that
# X-Forwarded-Proto: https counts as HTTPS (the proxy must set it and strip it from clients).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes on the private network speak plain HTTP
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is for the owner of the registrable domain to decide (a gov.vn sub-domain cannot be preloaded
# alone), so it is off and its deployment check is silenced unless SECURE_HSTS_PRELOAD=1.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # personal links never leak to another site in Referer
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (Django's own middleware). Scripts only from this site, inline ones only with the
# request's nonce (`<script nonce="{{ csp_nonce }}">`). Styles allow 'unsafe-inline': the server-drawn SVG
# charts and a few templates use style attributes, which cannot carry a nonce (docs/decisions.md D37).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] = "SIDECAR"  # no CDN: Swagger UI served from static files
SPECTACULAR_SETTINGS["SWAGGER_UI_FAVICON_HREF"] = "SIDECAR"
SPECTACULAR_SETTINGS["REDOC_DIST"] = "SIDECAR"
# Field submissions and double entries share the outcome {created, duplicate}: one named enum, not a hash.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"StoredStatusEnum": ["created", "duplicate"]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
