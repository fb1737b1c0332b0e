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

{% if cookiecutter.cache_backend == "redis" -%}
from caching.redis_sentinel import redis_cache_location
{% endif -%}
from config.code_version import code_version

BASE_DIR = Path(__file__).resolve().parent.parent

# A .env file fills in what the real environment leaves unset (django-environ's
# format: `export NAME=value`, a `#` starts a comment, single quotes keep one).
# https://django-environ.readthedocs.io/en/latest/quickstart.html
environ.Env.read_env(BASE_DIR / ".env", parse_comments=True)
env = environ.Env()
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
    "recipes",
]

# https://docs.djangoproject.com/en/5.2/topics/http/middleware/#middleware-ordering
MIDDLEWARE = [
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level %}
    # Gives each request a memo of its own, so the recipes version is read from
    # the cache once per request (caching/requests.py).
    "caching.requests.RequestMemoMiddleware",
{%- endif %}
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}
    # Lets anonymous visitors share cached pages whatever cookies they carry, and
    # tells browsers to check back on every visit (caching/pages.py) ...
    "caching.pages.SharedPagesMiddleware",
    # ... where an unchanged page costs them a bodyless 304 (it adds the ETag).
    "django.middleware.http.ConditionalGetMiddleware",
{%- endif %}
{%- if cookiecutter.cache_per_site %}
    # Stores pages on the way out, so it must run last on the response: early here.
    "caching.pages.UpdateCacheMiddleware",
{%- endif %}
    "django.middleware.security.SecurityMiddleware",
    # Answers /static/ requests before the rest of the stack (see STORAGES).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
{%- if cookiecutter.cache_per_site %}
    # Answers from the cache before any view runs: every middleware after it is
    # skipped for a page served from the cache.
    "caching.pages.FetchFromCacheMiddleware",
    # Keeps pages built for a signed-in visitor, or holding a CSRF token, out of
    # the shared cache. Last, it sees only pages being built, never cached ones.
    "caching.pages.NeverCacheForSignedInMiddleware",
{%- endif %}
]
{%- if cookiecutter.use_debug_toolbar %}

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
{%- endif %}

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
{%- if cookiecutter.cache_backend == "redis" %}

# REDIS_URL is one URL, or several separated by commas: the primary first, then
# its replicas. Writes go to the primary, reads to a replica. Or, with Redis
# Sentinel, redis+sentinel://[:password@]host:port[,host:port...]/service/db: the
# sentinels name the primary, and the site follows when they fail it over; every
# call goes to the primary (caching/redis_sentinel.py).
# https://github.com/jazzband/django-redis#use-the-sentinel-connection-factory
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/1")
# Seconds to wait for Redis (and the sentinels) to connect, and to answer.
CACHE_CONNECT_TIMEOUT = env.float("CACHE_CONNECT_TIMEOUT", default=0.25)
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
REDIS_LOCATION, REDIS_OPTIONS = redis_cache_location(
    REDIS_URL, CACHE_CONNECT_TIMEOUT, CACHE_SOCKET_TIMEOUT
)
{%- endif %}
CACHES = {
{%- if cookiecutter.cache_backend == "locmem" %}
    # Local memory: fast and built in, but each process has its own copy, so
    # several processes may show different pages until the timeout passes.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#local-memory-caching
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "{{ cookiecutter.project_slug }}",
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    },
{%- elif cookiecutter.cache_backend == "redis" %}
    # Redis through django-redis; a dead or hung server turns into cache misses
    # (IGNORE_EXCEPTIONS) within the socket timeouts, never into an error page.
    # https://github.com/jazzband/django-redis#configure-as-cache-backend
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_LOCATION,
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            **REDIS_OPTIONS,
            # After a failure, leaves the server alone for retry_after seconds (a hung
            # server costs one call a timeout, not every call) and logs it once.
            "REDIS_CLIENT_CLASS": "caching.redis_cache.Redis",
            "REDIS_CLIENT_KWARGS": {"retry_after": 2.0},
            "SOCKET_CONNECT_TIMEOUT": CACHE_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
        },
    },
{%- elif cookiecutter.cache_backend == "memcached" %}
    # Memcached through pymemcache; several servers share the keys between them.
    # The backend is Django's PyMemcacheCache, where a server that fails is a
    # cache miss, logged once; the timeouts keep a hung one from hanging the request.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#memcached
    "default": {
        "BACKEND": "caching.memcached_cache.PyMemcacheCache",
        "LOCATION": env.list("MEMCACHED_SERVERS", default=["127.0.0.1:11211"]),
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "no_delay": True,
            "use_pooling": True,
            "max_pool_size": 16,
            "connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            "timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
            # A server that fails leaves the pool at once, its keys moving to the
            # others (or missing, with one server), and is tried again after
            # dead_timeout seconds: a dead or hung server costs one call a timeout
            # every few seconds, not every call, and a restarted one is back within
            # seconds. (With retry_attempts above 0, pymemcache would answer some
            # calls to a failing server with a miss without asking it.)
            "retry_attempts": 0,
            "dead_timeout": 2,
        },
    },
{%- elif cookiecutter.cache_backend == "db" %}
    # A table in the site's database: create it with `manage.py createcachetable`
    # (migrate does not). Shared by every process that shares the database. The
    # backend is Django's DatabaseCache, where a missing table is a cache miss and
    # one log line, not an error page.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#database-caching
    "default": {
        "BACKEND": "caching.db_cache.DatabaseCache",
        "LOCATION": env("CACHE_TABLE", default="django_cache"),
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # Past MAX_ENTRIES (Django's default: 300) a write deletes a third of the
        # entries, whichever they are: the recipes version among them, which
        # makes every cached page a miss. A page per recipe needs room.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
{%- elif cookiecutter.cache_backend == "file" %}
    # One pickle file per entry. Keep the directory outside STATIC_ROOT and
    # MEDIA_ROOT, where a web server would hand those files to anyone. The backend
    # is Django's FileBasedCache, where a directory it cannot write is a cache miss
    # and one log line, not an error page.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#filesystem-caching
    "default": {
        "BACKEND": "caching.file_cache.FileBasedCache",
        "LOCATION": env("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # Past MAX_ENTRIES (Django's default: 300) a write deletes a third of the
        # entries, whichever they are: the recipes version among them, which
        # makes every cached page a miss. A page per recipe needs room.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
{%- endif %}
}
{%- if cookiecutter.cache_backend == "redis" and (cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level) %}
# The primary alone, for the reads that must not lag behind a write: a replica
# may (see recipes/caching.py).
CACHES["primary"] = {**CACHES["default"], "LOCATION": CACHES["default"]["LOCATION"][:1]}
{%- endif %}
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment %}
{%- if cookiecutter.cache_backend == "locmem" %}
# Whole pages and page fragments go to the same cache under keys that carry the
# recipes version, so one write makes them all stale at once (recipes/caching.py).
CACHES["pages"] = {**CACHES["default"], "KEY_FUNCTION": "recipes.caching.page_cache_key"}
{%- else %}
# Whole pages and page fragments go to the same cache under keys that carry the
# recipes version, so one write makes them all stale at once (recipes/caching.py).
CACHES["shared_pages"] = {**CACHES["default"], "KEY_FUNCTION": "recipes.caching.page_cache_key"}
# What is stored under such a key never changes, so each process keeps a copy of
# the entries it has read (caching/local_copy.py): a page it has served before
# costs no call to the cache server. CACHE_LOCAL_COPY_BYTES bounds that copy in
# each process (32 MB by default), least recently used out first.
CACHES["pages"] = {
    "BACKEND": "caching.local_copy.LocalCopyCache",
    "LOCATION": "shared_pages",
    "OPTIONS": {"MAX_BYTES": env.int("CACHE_LOCAL_COPY_BYTES", default=33_554_432)},  # 32 MB
}
{%- endif %}
{%- endif %}
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}
# How long browsers may show a page without asking whether it changed. 0, the
# default, makes them ask on every visit (a bodyless 304 while nothing changed),
# so nobody sees a page older than the last edit. N seconds spares those
# requests, and lets a browser or proxy show a page up to N seconds old.
CACHE_BROWSER_SECONDS = env.int("CACHE_BROWSER_SECONDS", default=0)
{%- endif %}
{%- if cookiecutter.cache_per_site %}
# https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache
CACHE_MIDDLEWARE_ALIAS = "pages"
CACHE_MIDDLEWARE_SECONDS = CACHE_TIMEOUT
CACHE_MIDDLEWARE_KEY_PREFIX = "{{ cookiecutter.project_slug }}"
{%- endif %}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
{%- if cookiecutter.cache_backend != "locmem" %}
    # A warning when the cache fails, a note when it works again (once per outage).
    "loggers": {"caching": {"level": "INFO"}},
{%- endif %}
}
