{%- set d = derived(cookiecutter) -%}
{#- What depends on the cache answers is included whole from templates/settings/ (the
    template's top-level templates/ folder, which cookiecutter's loader searches):
    the MIDDLEWARE list, each backend's CACHES (imports.<backend> where a backend
    needs one) and what the page levels add to it. -#}
"""Settings for the {{ cookiecutter.project_slug }} site.

Every value that differs between machines comes from the environment; see
.env.example for the full list. A git-ignored .env file in the project folder is
read first, so local development needs no exported variables, but a variable set
in the real environment always wins.

https://docs.djangoproject.com/en/5.2/topics/settings/
"""

import os
{%- if cookiecutter.use_debug_toolbar %}
import sys
{%- endif %}
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

{% include "settings/imports." ~ d.backend ~ ".py.j2" ignore missing -%}
from config.code_version import code_version
from config.environment import StrictEnv

BASE_DIR = Path(__file__).resolve().parent.parent

# A .env file fills in what the real environment leaves unset (django-environ's
# format: `export NAME=value`, a `#` starts a comment, single quotes keep one).
# https://django-environ.readthedocs.io/en/latest/quickstart.html
environ.Env.read_env(BASE_DIR / ".env", parse_comments=True)
# env.int, env.float, env.bool and env.db_url refuse a value they cannot use, with
# one line that names the variable and what is wrong (config/environment.py).
env = StrictEnv()
# env reads env.ENVIRON (os.environ unless set): here the values stripped, without
# the empty ones, so an empty value means the default, as in .env.example.
env.ENVIRON = {name: value.strip() for name, value in os.environ.items() if value.strip()}

# "production" (the default) turns on every HTTPS protection and requires a real
# secret key; the .env written when the project was baked says "development".
ENVIRONMENT = env("DJANGO_ENV", default="production")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production' (got {ENVIRONMENT!r})"
    )
PRODUCTION = ENVIRONMENT == "production"

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set: put it in the environment (or in .env for local work)"
    )

# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves the static files under runserver too, whatever DEBUG says.
    # https://whitenoise.readthedocs.io/en/stable/django.html#using-whitenoise-in-development
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The cache layer (caching/apps.py): its system checks and settings.
    "caching",
    "recipes",
]

# https://docs.djangoproject.com/en/5.2/topics/http/middleware/#middleware-ordering
{% include "settings/middleware.py.j2" -%}
{% if cookiecutter.use_debug_toolbar %}
# django-debug-toolbar (installed by requirements-dev.txt only): its SQL and Cache
# panels show what each page asked of the database and of the cache. On only
# with DJANGO_DEBUG, and never under the tests.
# https://django-debug-toolbar.readthedocs.io/en/latest/installation.html
TESTING = "test" in sys.argv or "PYTEST_VERSION" in os.environ
if DEBUG and not TESTING:
    INSTALLED_APPS += ["debug_toolbar"]
    # Outermost, so it sees each page as it leaves the caches and is never cached itself.
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    INTERNAL_IPS = ["127.0.0.1", "::1"]
    DEBUG_TOOLBAR_PANELS = [
        "debug_toolbar.panels.timer.TimerPanel",
        "debug_toolbar.panels.headers.HeadersPanel",
        "debug_toolbar.panels.sql.SQLPanel",
        "debug_toolbar.panels.cache.CachePanel",
        "debug_toolbar.panels.templates.TemplatesPanel",
    ]
{% endif %}
ROOT_URLCONF = "config.urls"

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
{%- if cookiecutter.cache_template_fragment %}
                # cache_timeout and recipes_version, for the {% raw %}{% cache %}{% endraw %} blocks.
                "recipes.context_processors.fragment_caching",
{%- endif %}
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# DATABASE_URL is a database URL, e.g. postgres://user:pass@host/name.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {
    "default": {
        **env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        "CONN_MAX_AGE": 60,
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# https://docs.djangoproject.com/en/5.2/topics/cache/
# How long cached pages, fragments and data live, in seconds.
CACHE_TIMEOUT = {{ cookiecutter.cache_timeout | int }}

# Every key starts with the project's name and the code version.
CACHE_KEY_PREFIX = f"{{ cookiecutter.project_slug }}.{code_version(BASE_DIR)}"
{% include "settings/caches." ~ d.backend ~ ".py.j2" -%}
{% include "settings/pages.py.j2" %}
# https://docs.djangoproject.com/en/5.2/ref/settings/#auth-password-validators
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "recipes:list"
LOGOUT_REDIRECT_URL = "recipes:list"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise, in the app server, with no web server
# to set up. In production, `collectstatic` copies them to STATIC_ROOT under names
# that carry a hash of their content, compressed, and WhiteNoise sends those as
# immutable for ten years. In development they are served from the apps as they
# are: no collectstatic, and an edit shows on the next request.
# https://docs.djangoproject.com/en/5.2/howto/static-files/deployment/
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

if PRODUCTION:
    # gunicorn sits behind a proxy that terminates TLS and says so in
    # X-Forwarded-Proto; plain HTTP that does not say "https" is redirected.
    # https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers ask /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# https://docs.djangoproject.com/en/5.2/topics/logging/
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "config.log_filters.WithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # A request for a host not in ALLOWED_HOSTS (scanners send many): one line
        # naming the host, and its 400, instead of a traceback each.
        # https://docs.djangoproject.com/en/5.2/topics/logging/#django-security
        "django.security.DisallowedHost": {"filters": ["without_traceback"]},
{%- if d.shared %}
        # A warning when the cache fails, a note when it works again (once per outage).
        "caching": {"level": "INFO"},
{%- endif %}
    },
}
