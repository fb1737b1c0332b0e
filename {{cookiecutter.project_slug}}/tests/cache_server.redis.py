"""The Redis server the suite runs against: how to reach it and break it."""

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
