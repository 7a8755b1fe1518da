"""Settings for Peerprogram, driven by environment variables (django-environ).

Development defaults: DEBUG on, SQLite under var/. Production: set DEBUG=false,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README, "Production").
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from peerprogram import logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="development-only-key-not-for-production-use-0123456789")
else:
    SECRET_KEY = env("SECRET_KEY")

if DEBUG:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form in plain Danish (peerprogram.views.csrf_failure), not Django's own page.
CSRF_FAILURE_VIEW = "peerprogram.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "import_export",
    "axes",
    "csp",
    "peerprogram",
    "programme",
    "evaluation",
    "recruitment",
    "employment",
    "mentoring",
    "education",
    "journal",
    # The top layer: apps of their own for their management commands.
    "peerprogram.demo",
    "peerprogram.backup",
    "peerprogram.report",
]

MIDDLEWARE = [
    # First: the request's id on every log line, and a line per request (peerprogram.logs).
    "peerprogram.logs.request_log",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long cache and skip the page headers.
    # Above the session, so the error page for a database that is down gets them too.
    "peerprogram.middleware.pages_are_not_stored",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peerprogram.middleware.idle_timeout_moves_on",
    "peerprogram.middleware.danish_unless_chosen",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerprogram.urls"
WSGI_APPLICATION = "peerprogram.wsgi.application"

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
                "peerprogram.context_processors.roles",
            ],
        },
    },
    # The statistics' tables only (docs/architecture.md, "Templates"): asked for by name
    # with `using="jinja2"`, never found by the lookup of an ordinary page.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "peerprogram.jinja2.environment"},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'peerprogram.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production keeps a connection open for this many seconds (development: one per request,
# as Django advises for runserver). Each request first checks a kept connection, so one
# that died while the database restarted is replaced instead of failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for each connection (docs/performance.md): the programme's data fits
    # in memory, so reading a row by index costs about what reading it in sequence does
    # (random_page_cost 1.1, not the 4 meant for spinning disks; with 4 the counts per unit
    # scanned every peer worker once per unit); and no JIT, whose compiling cost a second on
    # a query of a few milliseconds after a bulk load or a restore.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        filter(
            None,
            [
                options.get("options", ""),
                env.str("POSTGRES_OPTIONS", default="-c random_page_cost=1.1 -c jit=off"),
            ],
        )
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database (docs/architecture.md, "The embedded database"): writes at the
    # same moment take turns instead of failing with "database is locked". IMMEDIATE: a
    # transaction takes the write lock when it starts (one that read first could not wait
    # for it). timeout: seconds to wait for the lock, above the longest write (an import)
    # and below gunicorn's 30 s. WAL: reads and the one write do not wait for each other;
    # synchronous=FULL: a commit is on the disk before the user is told it is saved.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL")
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "peerprogram:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this many idle seconds; a request renews the clock, saved at most once
# a minute (peerprogram.middleware.idle_timeout_moves_on): a page that only reads writes
# nothing.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): lock a username after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Username together with the address: a whole hospital often shares one public address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["peerprogram.formats"]
USE_I18N = True
# Off: it would also print ids as "1.740" in URLs and element ids. Amounts use |intcomma.
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Production must say how mail leaves (password resets); development prints it.
EMAIL_CONFIG = (
    env.email_url("EMAIL_URL", default="consolemail://") if DEBUG else env.email_url("EMAIL_URL")
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="peerprogram@localhost")
# Password reset mails (peerprogram.password_reset): at most this many per e-mail address
# and per client address in the window; more requests get the same page, and no mail.
# Per client it is higher: a whole hospital often shares one public address.
PASSWORD_RESET_MAILS_PER_ADDRESS = env.int("PASSWORD_RESET_MAILS_PER_ADDRESS", default=3)
PASSWORD_RESET_MAILS_PER_CLIENT = env.int("PASSWORD_RESET_MAILS_PER_CLIENT", default=20)
PASSWORD_RESET_LIMIT_SECONDS = 60 * 60

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# CACHE_URL=redis://… (Django's own Redis cache): one cache for every app server. Without
# it, each process has its own memory cache (one server).
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}
SHARED_CACHE = "CACHE_URL" in env
if SHARED_CACHE:
    # Sessions read from the shared cache and kept in the database (they survive a cache
    # restart); the admin import's file waits in the cache between preview and confirm,
    # so the confirmation may reach another server.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
else:
    IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.TempFolderStorage"

# Programme figures (DOMAIN.md): yearly cost per weekly hour, and the
# recommended minimum hours per week for a peer worker.
PEER_COST_PER_WEEKLY_HOUR_DKK = env.int("PEER_COST_PER_WEEKLY_HOUR_DKK", default=10_115)
PEER_RECOMMENDED_MIN_HOURS = 20
PEER_MAX_HOURS = 37

# The leader's follow-up talks (the mini-guide): every 14 days in probation, then monthly;
# editable per peer worker.
FOLLOW_UP_PROBATION_DAYS = 14
FOLLOW_UP_AFTER_MONTHS = 1

# The address people open the product at, for the links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# What apps above education add to a person's calendar and feed (education.selectors.
# CalendarSource): the follow-up talks, seen only by the leader and the peer worker.
CALENDAR_SOURCES = ["employment.calendar.TalkSource"]
# Who apps above mentoring name as a peer worker's coming mentor (the mentor suggestions
# put them first): the hiring committee's staff representative, the guide's coming mentor.
COMING_MENTOR_SOURCES = ["recruitment.selectors.coming_mentor_ids"]
# What apps above mentoring count as a peer worker's busy weekdays (teaching days, erfa
# meetings, supervision): the mentor's weekly day is proposed on the freest.
BUSY_WEEKDAY_SOURCES = ["education.selectors.busy_weekdays"]
# What apps above mentoring find clashing with a mentorship's coming check-ins, and where
# to move them (mentoring.selectors.ClashNotice): the mentorship page marks them.
CHECKIN_CLASH_SOURCES = ["education.selectors.clash_notice"]

# Mentoring (DOMAIN.md): a weekly check-in of about 30 minutes for the first 6 months
# (26 meetings), then optionally monthly. Default weekday 1 = Tuesday.
MENTORING_CHECKIN_MINUTES = env.int("MENTORING_CHECKIN_MINUTES", default=30)
MENTORING_WEEKS = env.int("MENTORING_WEEKS", default=26)
MENTORING_MONTHLY_COUNT = 6
MENTORING_DEFAULT_WEEKDAY = 1
MENTORING_DEFAULT_TIME = "10:00"
MENTORING_WARNING_DAYS = env.int("MENTORING_WARNING_DAYS", default=14)
# Once a mentorship meets monthly, a warning comes after this many days instead.
MENTORING_MONTHLY_WARNING_DAYS = 45

# Peer education (DOMAIN.md): 7 modules of 2 consecutive teaching days of 5 hours; a fee
# of about 14,000 DKK per participant from the unit's operating budget. Best hired at
# least 3 months before the cohort starts; educated within the first 12 months.
EDUCATION_FEE_DKK = env.int("EDUCATION_FEE_DKK", default=14_000)
EDUCATION_DAY_HOURS = 5
EDUCATION_HIRED_BEFORE_MONTHS = 3
EDUCATION_WITHIN_MONTHS = 12
# The theme day after the education is due this many days after completion.
EDUCATION_THEME_DAY_DAYS = 60

# Applicants who were not hired are anonymised this long after the vacancy ended
# (the anonymise_applicants command, run daily).
APPLICANT_RETENTION_MONTHS = env.int("APPLICANT_RETENTION_MONTHS", default=6)

# Peer notes. The hospital record (EPR) is the record of treatment: the peer worker pastes
# the approved note into it. The notes here are kept this long after the patient's peer
# support ended, then removed by the remove_old_notes command (run daily).
JOURNAL_RETENTION_MONTHS = env.int("JOURNAL_RETENTION_MONTHS", default=24)
# Conversations per contracted hour are flagged when a month is this far below or above
# the unit's usual level (too little and too much work are both sources of stress).
JOURNAL_LOAD_LOW = 0.5
JOURNAL_LOAD_HIGH = 1.5
# A draft not approved by the patient is listed as waiting after this many days.
JOURNAL_DRAFT_WARNING_DAYS = 7

# Security. Production values are on unless DEBUG is on; each can be overridden.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer asks /health/ over plain HTTP on the servers' own address.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Content-Security-Policy (django-csp): only our own files; no inline script or style, no
# plugins, no framing. data: images are Bootstrap's icons (SVG in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies (HAProxy, a TLS terminator) add the client's address to
# X-Forwarded-For in front of the app: the client is that many entries from the right
# (peerprogram.logs.client_ip; login throttling, reset limits and logs use it). 0: the
# connection's own address.
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
AXES_CLIENT_IP_CALLABLE = "peerprogram.logs.client_ip"

# One line per event: LOG_FORMAT=json for JSON lines (production, a log collector),
# readable text otherwise; LOG_REQUESTS adds a line per request (on with JSON).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = logs.config(
    LOG_FORMAT,
    requests=env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json"),
    axes_level=env("AXES_LOG_LEVEL", default="WARNING"),
)
# django-axes names a client by a keyed hash of the username and the address.
AXES_CLIENT_STR_CALLABLE = "peerprogram.logs.client_str"
# Errors to Sentry when a DSN is given (no personal data, no request bodies).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    logs.start_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
    )

# Backups (manage.py backup and restore; README, "Backup and restore"). The archives are
# encrypted with age to these public keys ("age1…", comma-separated), whose private keys
# are kept off the server; production (DEBUG off) refuses to back up without them unless
# --unencrypted is given. The restore reads a private key from BACKUP_AGE_IDENTITY_FILE (or
# --identity). Archives go to BACKUP_DIR (relative to the project folder unless absolute);
# each successful backup deletes the archives there older than BACKUP_KEEP_DAYS.
BACKUP_AGE_RECIPIENTS = env.list("BACKUP_AGE_RECIPIENTS", default=[])
BACKUP_AGE_IDENTITY_FILE = env.str("BACKUP_AGE_IDENTITY_FILE", default="")
BACKUP_DIR = BASE_DIR / env.str("BACKUP_DIR", default="var/backups")
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=30)

# Single sign-on with the region's identity provider, Azure AD or ADFS (OpenID Connect,
# mozilla-django-oidc; peerprogram.sso, README "Single sign-on"). Off unless OIDC_ISSUER is set;
# the endpoints come from the issuer's discovery document. A person is let in as the login of
# the active staff record whose e-mail is in the claim OIDC_MATCH_CLAIM (email, or e.g. upn
# when that holds the address); no login is ever created. LOCAL_LOGIN=false turns passwords off.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_MATCH_CLAIM = env("OIDC_MATCH_CLAIM", default="email")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # the hint the provider's logout asks for
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
LOCAL_LOGIN = env.bool("LOCAL_LOGIN", default=True)
if not (LOCAL_LOGIN or OIDC_ISSUER):
    raise environ.ImproperlyConfigured("LOCAL_LOGIN=false needs OIDC_ISSUER: no one could log in.")
if not LOCAL_LOGIN:
    AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")
if OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("peerprogram.sso.StaffBackend")
    # The logout form's answer redirects to the provider's logout (browsers check form-action).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        "/".join(OIDC_ISSUER.split("/")[:3])
    )
# django-axes counts password logins only: a refused sign-on has no username to lock.
AXES_WHITELIST_CALLABLE = "peerprogram.sso.not_a_password_login"
