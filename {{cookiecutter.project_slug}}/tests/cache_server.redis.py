"""The Redis server the suite runs against: how to reach it, break it and count its calls."""

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django_redis import get_redis_connection
from redis import Redis, RedisError

# A hit served from this process's copy asks Redis nothing at all: each process
# is told the recipes version (caching/redis_push.py).
CALLS_PER_HIT = 0


def cache_server_problem():
    """A line saying the Redis primary cannot be reached, or None."""
    try:
        # Through django-redis's own connection pool (a primary, or the one the
        # sentinels name), by a plain client: the site's would log an outage.
        Redis(connection_pool=get_redis_connection("default").connection_pool).ping()
    except RedisError:
        where = without_password(settings.REDIS_URL)
        return f"Redis is not reachable at {where}: start it (see README) or set REDIS_URL"
    return None


def without_password(url):
    """The URL with its password, if any, replaced by ***."""
    password = urlsplit(url).password
    return url if password is None else url.replace(f":{password}@", ":***@", 1)


def unreachable_location(tmp_path):
    """A socket no server listens on, as when the server is down."""
    return f"unix://{tmp_path / 'redis.sock'}"


def commands_answered():
    """Commands Redis has answered so far, by name, but INFO (this count) and PING (listeners')."""
    stats = get_redis_connection("default").info("commandstats")
    return {
        name.removeprefix("cmdstat_"): stat["calls"]
        for name, stat in stats.items()
        if name not in ("cmdstat_info", "cmdstat_ping")
    }


@contextmanager
def calls_to_the_cache():
    """The commands Redis answers inside the block, once this process is told the version."""
    # Imported here: with no caching level, there is no recipes version (recipes/caching.py).
    from recipes.caching import recipes_version
    from recipes.version_store import pushed_version

    deadline = time.monotonic() + 5
    while recipes_version() and pushed_version.get() is None:  # The first read starts it.
        assert time.monotonic() < deadline, "the recipes version was never pushed"
        time.sleep(0.01)
    calls = []
    before = commands_answered()
    yield calls
    for name, count in commands_answered().items():
        calls.extend([name] * (count - before.get(name, 0)))
