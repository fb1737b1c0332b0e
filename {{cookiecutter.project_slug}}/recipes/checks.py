{%- set backend = cookiecutter.cache_backend -%}
{%- set any_level = cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level -%}
"""System checks for the cache settings: `python manage.py check` names each mistake.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""
{% if backend == "locmem" and any_level %}
import os

{% elif backend == "memcached" %}
import re

{% elif backend == "file" %}
import tempfile
from pathlib import Path

{% elif backend == "redis" %}
from urllib.parse import urlsplit

{% else %}
{% endif -%}
from django.conf import settings
{%- if backend == "db" %}
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
{%- endif %}
from django.core.checks import Error, Tags, {% if backend == "db" or (backend == "locmem" and any_level) %}Warning, {% endif %}register
{%- if backend == "db" %}
from django.db import DatabaseError, connections, router
{%- elif backend == "redis" %}

from caching.redis_sentinel import is_sentinel_url, parse_sentinel_url
{%- endif %}

# The settings that hold a number of seconds.
TIMEOUT_SETTINGS = ["CACHE_TIMEOUT"{% if cookiecutter.cache_per_site %}, "CACHE_MIDDLEWARE_SECONDS"{% endif %}]
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}

SHARED_PAGES = "caching.pages.SharedPagesMiddleware"
{%- endif %}
{%- if cookiecutter.cache_per_site %}
UPDATE_CACHE = "caching.pages.UpdateCacheMiddleware"
FETCH_FROM_CACHE = "caching.pages.FetchFromCacheMiddleware"
NEVER_CACHE_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"
# Middleware that add to the Vary header or set cookies on the way out. The page
# UpdateCacheMiddleware stores must carry their changes, so it comes before them.
# https://docs.djangoproject.com/en/5.2/topics/cache/#order-of-middleware
CHANGES_VARY = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
]
{%- endif %}
{%- if backend in ["redis", "memcached", "file"] %}


def cache_locations(backend_class):
    """The distinct LOCATIONs of the caches whose BACKEND is a backend_class."""
    locations = []
    for config in settings.CACHES.values():
        location = config.get("LOCATION", "")
        if config["BACKEND"].rsplit(".", 1)[-1] == backend_class and location not in locations:
            locations.append(location)
    return locations
{%- endif %}


@register(Tags.caches)
def check_cache_timeouts(app_configs, **kwargs):
    """Django reads a timeout that is not an int as 300 seconds, or fails on every page."""
    errors = []
    for name in TIMEOUT_SETTINGS:
        value = getattr(settings, name, None)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            errors.append(
                Error(
                    f"{name} must be a whole number of seconds greater than 0 (got {value!r}).",
                    hint=f"Set {name} to an int in config/settings.py, e.g. 600.",
                    id="recipes.E001",
                )
            )
    return errors
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}


@register(Tags.caches)
def check_cache_middleware_order(app_configs, **kwargs):
    """The page caches share only what they may, with their middleware in the right places."""
    middleware = list(settings.MIDDLEWARE)
    if SHARED_PAGES not in middleware:
        return [
            middleware_error(
                "SharedPagesMiddleware must be in MIDDLEWARE: cached pages vary on the "
                "session cookie it names, and without it a signed-in visitor could be "
                "served an anonymous visitor's page."
            )
        ]
{%- if cookiecutter.cache_per_site %}
    if UPDATE_CACHE not in middleware and FETCH_FROM_CACHE not in middleware:
        return []  # Per-site caching turned off.
    if UPDATE_CACHE not in middleware or FETCH_FROM_CACHE not in middleware:
        return [
            middleware_error(
                "Per-site caching needs both UpdateCacheMiddleware and "
                "FetchFromCacheMiddleware in MIDDLEWARE: add the missing one or remove both."
            )
        ]
    errors = []
    update = middleware.index(UPDATE_CACHE)
    if middleware.index(SHARED_PAGES) > update:
        errors.append(
            middleware_error(
                "SharedPagesMiddleware must come before UpdateCacheMiddleware in MIDDLEWARE: "
                "it names the session before a page is looked up, and rewrites what "
                "browsers are told after the page is stored."
            )
        )
    before = [name.rsplit(".", 1)[-1] for name in CHANGES_VARY if name in middleware[:update]]
    if before:
        errors.append(
            middleware_error(
                f"UpdateCacheMiddleware must come before {', '.join(before)} in MIDDLEWARE: "
                "it would store pages without the Vary header they add, and serve one "
                "visitor's page to another."
            )
        )
    after_fetch = middleware[middleware.index(FETCH_FROM_CACHE) + 1 :]
    if [name for name in after_fetch if name != NEVER_CACHE_FOR_SIGNED_IN]:
        errors.append(
            middleware_error(
                "FetchFromCacheMiddleware must be last in MIDDLEWARE, but for "
                "NeverCacheForSignedInMiddleware: the middleware after it are skipped for "
                "every page served from the cache."
            )
        )
    if NEVER_CACHE_FOR_SIGNED_IN not in middleware[update + 1 :]:
        errors.append(
            middleware_error(
                "NeverCacheForSignedInMiddleware must come after UpdateCacheMiddleware in "
                "MIDDLEWARE: without it, pages of signed-in visitors are cached and shown "
                "to others."
            )
        )
    return errors
{%- else %}
    return []
{%- endif %}


def middleware_error(message):
    return Error(
        message,
        hint="Keep the page-cache middleware where config/settings.py was baked: "
        "SharedPagesMiddleware near the top"
{%- if cookiecutter.cache_per_site %}
        ", UpdateCacheMiddleware after it, FetchFromCacheMiddleware and "
        "NeverCacheForSignedInMiddleware last"
{%- endif %}
        ".",
        id="recipes.E002",
    )
{%- endif %}
{%- if backend == "memcached" %}


# host:port, [IPv6]:port, or a unix socket path.
MEMCACHED_SERVER = re.compile(r"^(?:(?:\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/]+):(\d{1,5})|(?:unix:)?/\S+)$")


@register(Tags.caches)
def check_memcached_servers(app_configs, **kwargs):
    """Each memcached server is host:port; pymemcache fails on anything else, late."""
    errors = []
    for location in cache_locations("PyMemcacheCache"):
        servers = re.split("[;,]", location) if isinstance(location, str) else list(location)
        for server in servers or [""]:
            match = MEMCACHED_SERVER.match(str(server))
            if match is None or not 0 < int(match.group(1) or 1) < 65536:
                errors.append(
                    Error(
                        f"memcached server {server!r} is not host:port.",
                        hint="Set MEMCACHED_SERVERS to a comma-separated list of host:port, "
                        "e.g. 127.0.0.1:11211,10.0.0.2:11211.",
                        id="recipes.E003",
                    )
                )
    return errors
{%- elif backend == "redis" %}


@register(Tags.caches)
def check_redis_url(app_configs, **kwargs):
    """django-redis fails on every page, not at start-up, on a URL it cannot use."""
    urls = []  # Each URL once: several aliases may use the same server.
    for location in cache_locations("RedisCache"):
        if isinstance(location, str):
            # The sentinels of a redis+sentinel:// URL are separated by commas too.
            location = [location] if is_sentinel_url(location) else location.split(",")
        for url in location:
            if url.strip() not in urls:
                urls.append(url.strip())
    errors = []
    for url in urls:
        if is_sentinel_url(url):
            try:
                parse_sentinel_url(url)
            except ValueError as error:  # The message never holds the password.
                errors.append(
                    Error(
                        f"REDIS_URL is not a Redis Sentinel URL: {error}.",
                        hint="Use redis+sentinel://[:password@]host:port[,host:port...]"
                        "/service/db, e.g. redis+sentinel://sentinel-1:26379,"
                        "sentinel-2:26379,sentinel-3:26379/mymaster/1.",
                        id="recipes.E004",
                    )
                )
            continue
        parts = urlsplit(url)
        try:
            usable = parts.scheme in {"redis", "rediss", "unix"} and parts.port != 0
        except ValueError:  # A port that is not a number, or out of range.
            usable = False
        if not usable:
            # Never the whole URL: it may hold a password.
            shown = f"a URL starting with {parts.scheme}://" if parts.scheme else "no scheme"
            errors.append(
                Error(
                    f"REDIS_URL is not a Redis URL with a numeric port (got {shown}).",
                    hint="Use redis://host:port/db, rediss://host:port/db or "
                    "unix:///path/to/redis.sock, several separated by commas; or "
                    "redis+sentinel://host:port[,host:port...]/service/db for Sentinel.",
                    id="recipes.E004",
                )
            )
    return errors
{%- elif backend == "file" %}


@register(Tags.caches)
def check_cache_directory(app_configs, **kwargs):
    """The file cache directory is writable, and out of the web server's reach.

    Django's own checks warn about a relative path, and under --deploy about a
    directory inside STATIC_ROOT or MEDIA_ROOT; this refuses the latter always.
    """
    errors = []
    for location in cache_locations("FileBasedCache"):
        directory = Path(location)
        for name in ["STATIC_ROOT", "MEDIA_ROOT"]:
            root = getattr(settings, name, None)
            if root and directory.resolve().is_relative_to(Path(root).resolve()):
                errors.append(
                    Error(
                        f"The cache directory {location!r} is inside {name} ({root}): a web "
                        "server would hand the cached pages to anyone who asks.",
                        hint=f"Set CACHE_DIR to a directory outside {name}.",
                        id="recipes.E005",
                    )
                )
        problem = why_not_writable(directory)
        if problem:
            errors.append(
                Error(
                    f"The cache directory {location!r} {problem}, so nothing can be cached.",
                    hint="Make it writable by the user running the site, or set CACHE_DIR.",
                    id="recipes.E006",
                )
            )
    return errors


def why_not_writable(directory):
    """What keeps the site from writing files in directory, or None.

    A missing directory is fine if it can be created: the cache creates it.
    """
    try:
        existing = directory
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            return f"cannot be created ({existing} is a file)"
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        state = "is not writable" if existing == directory else "cannot be created"
        return f"{state} ({error.strerror or error})"
    return None
{%- elif backend == "db" %}


@register(Tags.caches, Tags.database)
def check_cache_table(app_configs, databases=None, **kwargs):
    """The cache table exists; run by `check --database default` and `migrate`.

    Like Django's own database checks, it runs only when asked to look at a
    database. It is a warning, not an error: the site serves every page without
    the table, only uncached, and `migrate` must run before `createcachetable`.
    """
    warnings, tables = [], []
    for alias, config in settings.CACHES.items():
        cache, table = caches[alias], config.get("LOCATION")
        if not isinstance(cache, DatabaseCache) or table in tables:
            continue
        tables.append(table)
        database = router.db_for_read(cache.cache_model_class)
        if database not in (databases or []):
            continue
        connection = connections[database]
        try:
            with connection.cursor() as cursor:
                missing = table not in connection.introspection.table_names(cursor)
        except DatabaseError:
            continue  # Django's own checks report a database that does not answer.
        if missing:
            warnings.append(
                Warning(
                    f"The cache table {table!r} does not exist in the {database!r} "
                    "database: nothing is cached.",
                    hint="Run `python manage.py createcachetable`.",
                    id="recipes.W001",
                )
            )
    return warnings
{%- elif backend == "locmem" and any_level %}


@register(Tags.caches)
def check_local_memory_with_one_process(app_configs, **kwargs):
    """Local memory is per process: several processes show old pages after an edit.

    gunicorn reads its number of workers from WEB_CONCURRENCY.
    """
    processes = os.environ.get("WEB_CONCURRENCY", "").strip()
    local_memory = any(
        config["BACKEND"].endswith(".LocMemCache") for config in settings.CACHES.values()
    )
    if not local_memory or not processes.isdigit() or int(processes) < 2:
        return []
    return [
        Warning(
            f"Local-memory caching with WEB_CONCURRENCY={processes}: each process has a "
            "cache of its own, so after an edit the others show the old pages for up to "
            f"{settings.CACHE_TIMEOUT} seconds.",
            hint="Use Redis or memcached with several processes, or run one.",
            id="recipes.W002",
        )
    ]
{%- endif %}
