"""Dutyflow settings, read from the environment.

No configuration at all: SQLite, Celery tasks run in-process, DEBUG on, a generated local
secret and audit key. ``DJANGO_ENV=production`` demands SECRET_KEY, AUDIT_KEY (or AUDIT_KEY_FILE),
ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env, env_bool, env_choice, env_int, env_required, env_seconds, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", choices=("development", "test", "production"), default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", reason="when DJANGO_ENV=production")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters in production.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
    env_required("DATABASE_URL", reason="when DJANGO_ENV=production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(BASE_DIR / "var" / "secret_key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The transition log's HMAC key (workflows/audit.py), kept outside the database: whoever can
# write the database but lacks this key cannot forge or re-sign log rows and checkpoints.
AUDIT_KEY = env.str("AUDIT_KEY", default="")
if not AUDIT_KEY and env.str("AUDIT_KEY_FILE", default=""):
    try:
        AUDIT_KEY = Path(env.str("AUDIT_KEY_FILE")).read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"AUDIT_KEY_FILE cannot be read: {exc}") from exc
if PRODUCTION:
    if not AUDIT_KEY:
        raise ImproperlyConfigured("AUDIT_KEY (or AUDIT_KEY_FILE) must be set when DJANGO_ENV=production.")
    if len(AUDIT_KEY) < 32 or len(set(AUDIT_KEY)) < 5:
        raise ImproperlyConfigured("AUDIT_KEY must be a random value of at least 32 characters in production.")
elif not AUDIT_KEY and DJANGO_ENV == "test":
    AUDIT_KEY = "dutyflow-test-audit-key-not-a-secret"
elif not AUDIT_KEY:
    AUDIT_KEY = local_secret_key(BASE_DIR / "var" / "audit_key")
# Verification fails when log rows older than this are covered by no signed checkpoint (the
# beat writes one every 15 minutes): checkpoints were deleted, or the beat does not run.
AUDIT_CHECKPOINT_GRACE_SECONDS = env_seconds("AUDIT_CHECKPOINT_GRACE_SECONDS", default=86400.0)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "organization",
    "workflows",
    "lists",
    "pledges",
    "issues",
    "partylife",
    "delegations",
    "supervision",
    "notifications",
    "connect",
    "reports",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "delegations.middleware.StandInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.FriendlyNotFoundMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout answer
]

ROOT_URLCONF = "config.urls"

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
                "organization.context_processors.scope",
                "notifications.context_processors.unread_notifications",
                "lists.context_processors.nav_counts",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite by default, DATABASE_URL (postgresql://...) otherwise.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'dutyflow.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Concurrent writers (web threads, the embedded beat, eager tasks): WAL lets readers run
    # beside the one writer; BEGIN IMMEDIATE takes the write lock when a transaction starts, so
    # a second writer waits (up to the busy timeout) instead of failing with "database is
    # locked" when its read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the report queries over a quarter are estimated costly enough to be compiled,
    # and compiling took 1.4 s of a 1.5 s query at a million items (execution: 50 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organization.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login protection (security/login.py): the sixth wrong password for one username from one IP
# locks that pair for AXES_COOLOFF_TIME; a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "security.login.LoginProtectionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=6)
# How long a process reuses the cluster-wide quarterly assessment for dashboards and reports.
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", default=60)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "security.login.client_ip"
# Reverse proxies in front of the site that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
# Uploaded evidence lives outside the static root and is served only through permission checks.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# Cache and Celery broker: Redis when REDIS_URL is set; otherwise local memory and eager tasks.
# The cache holds sessions, login throttling and the shared assessment figures, never a page's or
# an endpoint's answer: nothing is kept in front of the code (DESIGN.md principle 8).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless this is set;
# config/celery.py closes old or broken connections instead (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
# Notification delivery (notifications.services): transient failures are retried after
# RETRY_BASE × 2^(attempt-1) seconds (with jitter, capped at 6 h) until MAX_ATTEMPTS; a row still
# "sending" after CLAIM_TIMEOUT lost its worker (keep it above CELERY_TASK_TIME_LIMIT).
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60.0)
NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS = env_int(
    "NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", default=max(600, 2 * CELERY_TASK_TIME_LIMIT)
)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks (celery beat; `manage.py runembedded` runs them in-process without a broker).
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {"task": "workflows.tasks.sweep_deadlines", "schedule": crontab(minute="*/15")},
    "generate-monthly-lists": {
        "task": "lists.tasks.generate_monthly_lists",
        "schedule": crontab(minute=0, hour=6, day_of_month="25"),
    },
    "notifications-redispatch": {"task": "notifications.tasks.redispatch_outbox", "schedule": crontab(minute="*")},
    # Signed checkpoints of the transition log's head (workflows/audit.py).
    "audit-checkpoint": {"task": "workflows.tasks.checkpoint_audit", "schedule": crontab(minute="7-59/15")},
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        # Every day: the task itself skips holidays and runs on adjusted working weekends (调休).
        "schedule": crontab(minute=30, hour=8),
    },
}

# -- pledges (承诺践诺): the members' monthly self-check reminders (督诺) --
CELERY_BEAT_SCHEDULE["pledges-self-check-reminders"] = {
    "task": "pledges.tasks.remind_pledge_self_checks",
    "schedule": crontab(minute=0, hour=9, day_of_month="1"),
}
CELERY_BEAT_SCHEDULE["pledges-leader-check-reminders"] = {
    "task": "pledges.tasks.remind_pledge_leader_checks",
    "schedule": crontab(minute=0, hour=9, day_of_month="1", month_of_year="1,4,7,10"),
}
# -- end pledges --

# -- partylife: the current period's 三会一课 obligations of every branch (the sweep warns on them) --
CELERY_BEAT_SCHEDULE["partylife-open-obligations"] = {
    "task": "partylife.tasks.open_obligations",
    "schedule": crontab(minute=3),
}
# -- end partylife --

REST_FRAMEWORK = {
    # Token first so that an anonymous API call gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organization.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["workflows.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens (organization/tokens.py): hashed in the database, `Authorization: Token <token>`,
# expire after API_TOKEN_IDLE_HOURS without use (each use moves the expiry on, at most one
# write a minute). 72 h: a token used on Friday still works on Monday morning.
API_TOKEN_IDLE_HOURS = env_int("API_TOKEN_IDLE_HOURS", default=72)
if API_TOKEN_IDLE_HOURS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_IDLE_HOURS={API_TOKEN_IDLE_HOURS} must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(hours=API_TOKEN_IDLE_HOURS),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dutyflow API",
    "DESCRIPTION": "Responsibility lists, pledges, livelihood issues and discipline supervision.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    # Tags and operation ids from the path after /api/v1/: items_submit, lists_create, …
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and filter: for signed-in callers only (token or session).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The API speaks JSON (API.md); the form parsers the views also accept stay undocumented, so
    # that a generated client sends one kind of body. Photo uploads document multipart themselves.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Several models name their choices State / Category / Source: give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "IssueStateEnum": "issues.models.LivelihoodIssue.State",
        "IssueSourceEnum": "issues.models.LivelihoodIssue.Source",
        "IssueCategoryEnum": "issues.models.LivelihoodIssue.Category",
        "PledgeStateEnum": "pledges.models.Pledge.State",
        "PledgeCategoryEnum": "pledges.models.Pledge.Category",
        "CaseStateEnum": "supervision.models.SupervisionCase.State",
        "CaseSourceEnum": "supervision.models.SupervisionCase.Source",
        "ListStateEnum": "lists.models.items.ResponsibilityList.State",
        "ItemStateEnum": "lists.models.items.ResponsibilityItem.State",
        "ExtensionStateEnum": "lists.models.items.ExtensionRequest.State",
        "WarningLevelEnum": "lists.models.items.ResponsibilityItem.Warning",
        "SupervisionActionKindEnum": "supervision.models.SupervisionAction.Kind",
        "InboxActionEnum": "lists.serializers.INBOX_ACTIONS",
        "ActivityKindEnum": "partylife.models.activities.ActivityKind.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
        "config.openapi.split_transitions",
    ],
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dutyflow@localhost")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# WeCom (企业微信) and DingTalk (钉钉) server APIs and sign-in pages (connect/clients.py). A
# government edition (政务微信 / 浙政钉) or a test's local fake is reached by changing these.
WECOM_API_BASE = env.str("WECOM_API_BASE", default="https://qyapi.weixin.qq.com")
WECOM_OAUTH_URL = env.str("WECOM_OAUTH_URL", default="https://open.weixin.qq.com/connect/oauth2/authorize")
WECOM_QR_LOGIN_URL = env.str("WECOM_QR_LOGIN_URL", default="https://login.work.weixin.qq.com/wwlogin/sso/login")
DINGTALK_API_BASE = env.str("DINGTALK_API_BASE", default="https://api.dingtalk.com")
DINGTALK_OAPI_BASE = env.str("DINGTALK_OAPI_BASE", default="https://oapi.dingtalk.com")
DINGTALK_LOGIN_URL = env.str("DINGTALK_LOGIN_URL", default="https://login.dingtalk.com/oauth2/auth")

# Error pages and mails mask the password inside connection URLs (security/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "security.reporting.CredentialsFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Sessions are written to the database and read from the cache (write-through): a page request
# does not query the session table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy in every environment (the browser journeys run under it): scripts and
# styles only from the site's own files, never inline (static/js/dutyflow.js carries the pages'
# behaviour; chart data is JSON in <script type="application/json">, which never runs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:", "blob:"],  # blob: the previews of photos chosen for upload
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    }
}
DEMO_SEEDERS: list[str] = [
    "lists.demo.seed_lists",
    "pledges.demo.seed_pledges",
    "issues.demo.seed_issues",
    "partylife.demo.seed_party_life",
]
