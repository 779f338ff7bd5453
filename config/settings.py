"""Settings for the evidence portfolio, read from the environment (see README, "Configuration").

Defaults suit a first run on one machine (SQLite, local files, console e-mail); with DEBUG off they are strict.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import (
    DEVELOPMENT_PREFIX,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    load_env_file,
    passkey_domain,
    refuse_development_keys,
    refuse_development_value,
)
from config.storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout's `.env` (written by bin/start; git-ignored); variables set in the environment win.
load_env_file(BASE_DIR)

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, Configuration)")
    SECRET_KEY = f"{DEVELOPMENT_PREFIX}key-do-not-use-in-production"
refuse_development_value("SECRET_KEY", SECRET_KEY, debug=DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # before django_tasks_db, so that manage.py runs jobs' `db_worker` (the library's, with a heartbeat)
    "jobs",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    # the project's apps, from the bottom floor up (README, Architecture); `jobs`, a leaf, is above
    "accounts",
    "units",
    "signing",
    "audit",
    "notifications",
    "centres",
    "signin",
    "portfolio",
    "assessments",
    "quality",
    "records",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # pages compressed (not files, not the second-factor pages that show secrets): config/middleware.py
    "config.middleware.CompressPagesMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.HtmxRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "centres.middleware.AccessMiddleware",
    "centres.middleware.EQAPageViewMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "signin.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "centres.context_processors.centre_nav",
                "assessments.context_processors.caseload_nav",
                "quality.context_processors.iqa_nav",
                "notifications.context_processors.unread_count",
                "config.context_processors.site",
            ],
        },
    },
]

# Without DATABASE_URL, a SQLite file in var/ (created here) makes a first run work with no set-up.
SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
if not env_str("DATABASE_URL"):
    SQLITE_PATH.parent.mkdir(exist_ok=True)
# Each thread keeps its database connection for DATABASE_CONN_MAX_AGE seconds (a new connection per request costs
# a quarter of a small page's time), checked before reuse so one the server dropped is replaced, not an error.
# 0 (a connection per request) under DEBUG: the development server starts a thread per request.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
# django-axes checks each sign-in before the password does; the model backend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "login"
# Argon2 (argon2-cffi) hashes new passwords; a password hashed by an older hasher still verifies and is
# re-hashed with Argon2 when its owner next signs in. argon2-cffi releases the GIL while it hashes, so a
# sign-in holds one gunicorn thread, never the whole worker.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # the default list knows first_name/last_name, which this user model does not have
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portfolio@localhost")
# The site's address as people reach it, for absolute links in e-mails sent by the background worker.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Where the source code of the running version is published, linked from every page's footer (the AGPL asks a
# site to offer its users the source of what it runs). A placeholder until the project's public repository is named:
# whoever runs a changed version sets it to their own.
SOURCE_CODE_URL = env_url("SOURCE_CODE_URL", "https://github.com/evidence-portfolio/evidence-portfolio")

# Background tasks (django.tasks), e.g. notification e-mails. "database" (the default) queues them in the
# database for `manage.py db_worker` (django-tasks-db) to run; "immediate" runs each one at once, inside the
# request that queued it, with no worker (development, tests).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database").strip().lower()
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database or immediate, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

# Behind HTTPS in production: secure cookies, HSTS and redirects unless HTTPS=false (plain-HTTP test servers).
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health endpoint answers the proxy or monitor over plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_HTTPONLY = True
# Pages are never framed; the inline file views say `frame-ancestors 'self'` themselves (the review screen
# shows a PDF in a frame).
X_FRAME_OPTIONS = "DENY"
# Django's own CSP: scripts, styles, images and media from this site only, and no inline script or style
# anywhere (htmx is told not to inject its indicator style: templates/base.html).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# No page needs the camera, microphone, location or payment; video may go full screen.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# Sign-in protection (signin app; docs/security.md). django-axes counts failed passwords (signing in, the
# password reset form's address, and the password re-entered to sign a record) per account and per address.
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "signin.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "signin.throttling.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# The second factor (django-otp): TOTP apps and one-time recovery codes. Its issuer is the name the
# authenticator app shows beside the code.
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Evidence portfolio")
SIGNIN_RECOVERY_CODES = 10
# Passkeys (django-otp-webauthn), a second factor beside the authenticator app, never a way to sign in without the
# password. A passkey belongs to one domain: SITE_URL's when it is an HTTPS address; otherwise (a development
# address such as http://127.0.0.1:8000, where browsers refuse passkeys) "localhost" on the same port.
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_domain(SITE_URL)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_refusal_tracebacks": {"()": "config.logs.NoRefusalTracebacks"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_refusal_tracebacks"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default configuration gives these their own console handler as well as passing records up
        # to the root's: each line printed twice. Here they have none of their own and go up once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint reports every step of every PDF at INFO: only its warnings (a missing font, say) matter.
        # django-axes reports every sign-in at INFO; its lockouts (WARNING) matter.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Evidence files (portfolio/uploads.py)
# The largest single file a learner may upload, in bytes (default 1 GiB). It is enforced while the file streams
# in, so a larger one is never stored; a reverse proxy in front must allow request bodies at least this big.
EVIDENCE_MAX_UPLOAD_BYTES = env_int("EVIDENCE_MAX_UPLOAD_BYTES", 1024**3)
# MIME types a file may have, as sniffed from its content (never taken from its name or the browser's claim).
# EVIDENCE_ALLOWED_TYPES, a comma-separated list, replaces this default whole.
EVIDENCE_ALLOWED_TYPES = env_list(
    "EVIDENCE_ALLOWED_TYPES",
    default=[
        # documents
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
        "text/plain",
        "text/csv",
        # images (photos from phones included: HEIC/HEIF)
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "image/heif",
        "image/tiff",
        # audio
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/wav",
        "audio/ogg",
        # video
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/3gpp",
    ],
)
# Office and OpenDocument files are ZIP containers: one whose directory declares more than this unpacked, or
# (above 16 MiB unpacked) more than EVIDENCE_MAX_PACK_RATIO times its own size, is refused (portfolio/containers.py).
EVIDENCE_MAX_UNPACKED_BYTES = env_int("EVIDENCE_MAX_UNPACKED_BYTES", 512 * 1024**2)
EVIDENCE_MAX_PACK_RATIO = env_int("EVIDENCE_MAX_PACK_RATIO", 100)
# Where uploads are spooled while they stream in (default: the system's temporary directory). On the same
# file system as MEDIA_ROOT a finished upload is moved into place instead of copied; never a RAM-backed tmpfs.
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None
# Every stored file in an S3-compatible bucket when S3_BUCKET is set (config/storage.py lists the variables).
if s3 := s3_storage():
    STORAGES["default"] = s3

# Finished exports (records app) hold whole portfolios, personal data included: `manage.py prune_exports`, run
# daily, removes their files this many days after they were made (the export's row stays, marked expired).
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 30)
if EXPORT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("EXPORT_RETENTION_DAYS must be at least 1")

# Signed audit checkpoints are written here, to be kept where this server cannot rewrite them (README, Production).
CHECKPOINT_DIR = Path(env_str("CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit-checkpoints")))
# Background worker (jobs app): each `db_worker` writes a heartbeat this often; a worker not seen for
# WORKER_STALE_SECONDS has stopped, and the jobs it was running are marked failed with that reason.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 60)
if WORKER_STALE_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("WORKER_STALE_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS")

# Signing keys (signing app; README, Verification). Private keys are files in SIGNING_KEY_DIR, never in the
# database; the public key set (which keys exist, whose, and when each was in force) is the JSON file
# SIGNING_KEYSET, published at /.well-known/portfolio-keys.json. With DEBUG on, a centre's missing key is made on
# demand and marked as a development key; with DEBUG off a key set holding one stops start-up.
SIGNING_KEY_DIR = Path(env_str("SIGNING_KEY_DIR", str(BASE_DIR / "var" / "signing-keys")))
SIGNING_KEYSET = Path(env_str("SIGNING_KEYSET", str(SIGNING_KEY_DIR / "keys.json")))
SIGNING_DEVELOPMENT_KEYS = DEBUG
refuse_development_keys("SIGNING_KEYSET", SIGNING_KEYSET, debug=DEBUG)
