"""System checks of REDIS_URL: `python manage.py check` says what is wrong with it.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

import contextlib
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django_redis import get_redis_connection

from .redis_sentinel import is_sentinel_url, parse_sentinel_url


@register(Tags.caches)
def check_redis_url(app_configs, **kwargs):
    """django-redis fails on every page, not at start-up, on a URL it cannot use."""
    urls = []
    for config in settings.CACHES.values():
        if config["BACKEND"].endswith(".RedisCache"):
            location = config["LOCATION"]
            if isinstance(location, str):  # Sentinels are separated by commas too.
                location = [location] if is_sentinel_url(location) else location.split(",")
            urls.extend(url.strip() for url in location)
    return [
        Error(
            f"REDIS_URL is not {problem}.",
            hint="Use redis://host:port/db, rediss://host:port/db or unix:///path/to/redis.sock, "
            "several separated by commas, or redis+sentinel://host:port[,host:port...]/service/db.",
            id="caching.E004",
        )
        for problem in map(redis_url_problem, dict.fromkeys(urls))  # Aliases share URLs.
        if problem
    ]


def redis_url_problem(url):
    """What is wrong with url, or None; never the password it may hold."""
    if is_sentinel_url(url):
        try:
            parse_sentinel_url(url)
        except ValueError as error:
            return f"a Redis Sentinel URL: {error}"
        return None
    parts = urlsplit(url)
    with contextlib.suppress(ValueError):  # A port that is not a number, or out of range.
        if parts.scheme in {"redis", "rediss", "unix"} and parts.port != 0:
            return None
    shown = f"a URL starting with {parts.scheme}://" if parts.scheme else "no scheme"
    return f"a Redis URL with a numeric port (got {shown})"


@register(Tags.caches, deploy=True)
def check_redis_memory_policy(app_configs, **kwargs):
    """Redis is bounded (maxmemory) and evicts when full, as a cache must.

    Under `check --deploy` only: it asks the server. A server that cannot be
    reached, or refuses CONFIG (as managed services may), is not reported here.
    """
    try:
        # A plain client on django-redis's pool: the site's would log an outage.
        primary = redis.Redis(connection_pool=get_redis_connection("default").connection_pool)
        config = primary.config_get("maxmemory*")
    except (redis.RedisError, OSError, NotImplementedError):
        return []
    problem = memory_problem(config.get("maxmemory", "0"), config.get("maxmemory-policy", ""))
    if problem is None:
        return []
    return [
        Warning(
            f"Redis {problem}.",
            hint="Run it with --maxmemory <bytes> --maxmemory-policy volatile-lru "
            "(README, Production).",
            id="caching.W004",
        )
    ]


def memory_problem(maxmemory, policy):
    if str(maxmemory) == "0":
        return "has no memory limit (maxmemory 0): entries grow until the machine runs out"
    if policy == "noeviction":
        # A full Redis refuses writes: new pages are not cached. No edit is
        # hidden (recipes/caching.py), but every page is built anew.
        return "refuses writes when full (maxmemory-policy noeviction): pages go uncached"
    return None
