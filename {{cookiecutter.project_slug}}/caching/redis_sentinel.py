"""REDIS_URL for Redis Sentinel: redis+sentinel://[:password@]host:port[,host:port...]/service/db.

The form is the one the redis-sentinel-url package defined, which deploy tools
write: the sentinels' addresses, the name of the service they watch (the
`sentinel monitor <service> ...` line of their configuration), the database
number. The password is the Redis servers' one; the sentinels are asked without
one, as redis-py does unless told otherwise.

django-redis's Sentinel client asks the sentinels which server is the primary
whenever it connects, so when they fail it over the site follows.
https://github.com/jazzband/django-redis#use-the-sentinel-connection-factory
"""

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from redis.backoff import NoBackoff
from redis.retry import Retry

SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
# django-redis reads the service name as the host name of a URL, which lowercases it.
SERVICE_NAME = re.compile(r"[a-z0-9._-]+")


class SentinelURL(NamedTuple):
    sentinels: list[tuple[str, int]]
    service: str
    db: int
    password: str | None
    username: str | None = None


def is_sentinel_url(url):
    return url.strip().lower().startswith(f"{SCHEME}://")


def parse_sentinel_url(url):
    """The parts of a redis+sentinel:// URL; ValueError says what is wrong with it.

    The messages never quote the part before the "@", where the password is.
    """
    if not is_sentinel_url(url):
        raise ValueError(f"it does not start with {SCHEME}://")
    netloc, _, path = url.strip().partition("://")[2].partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if "@" in path:
        raise ValueError("the password has a '/' that is not percent-encoded as %2F")
    if at and ":" not in userinfo:
        raise ValueError("the password must follow a colon: redis+sentinel://:password@...")
    if any(mark in hosts + path for mark in "?#"):
        raise ValueError("it has options after '?' or '#', which this form does not take")
    service, _, db = path.partition("/")
    if not service:
        raise ValueError("it names no service: add /<service>/<db> after the sentinels")
    if not SERVICE_NAME.fullmatch(service):
        raise ValueError(
            f"the service name {service!r} is not lowercase letters, digits, '.', '-' or '_'"
        )
    if db and not (db.isascii() and db.isdigit()):
        raise ValueError("the database after the service is not a number")
    sentinels = []
    for host in [part.strip() for part in hosts.split(",")]:
        try:
            parts = urlsplit(f"//{host}")
            hostname, port = parts.hostname, parts.port
        except ValueError:  # A port that is not a number or out of range, a broken [IPv6].
            hostname = port = None
        if not hostname or port == 0 or (port is None and host.endswith(":")):
            raise ValueError(f"sentinel {host!r} is not host:port")
        sentinels.append((hostname, port or SENTINEL_PORT))
    username, _, password = userinfo.partition(":")
    return SentinelURL(
        sentinels, service, int(db or 0), unquote(password) or None, unquote(username) or None
    )


def redis_cache_location(url, connect_timeout, socket_timeout):
    """(LOCATION, OPTIONS) for REDIS_URL: Redis URLs separated by commas, or a Sentinel URL.

    Through sentinels, every read and write goes to the primary they name: the
    replicas are there to take over, and a replica may lag behind an edit. A
    Sentinel URL that does not parse is kept as it is, for `manage.py check` to
    say what is wrong with it (caching.E004).
    """
    if not is_sentinel_url(url):
        return [part.strip() for part in url.split(",") if part.strip()], {}
    try:
        parsed = parse_sentinel_url(url)
    except ValueError:
        return [url], {}
    options = {
        "CLIENT_CLASS": "django_redis.client.SentinelClient",
        "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
        "SENTINELS": parsed.sentinels,
        # Each sentinel is asked once, within the cache's timeouts, before the next
        # one: redis-py would try a dead sentinel ten times, for about 3.5 s.
        "SENTINEL_KWARGS": {
            "socket_connect_timeout": connect_timeout,
            "socket_timeout": socket_timeout,
            "retry": Retry(NoBackoff(), 0),
        },
    }
    if parsed.username:
        options["USERNAME"] = parsed.username
    if parsed.password:
        options["PASSWORD"] = parsed.password
    # A list, so django-redis's SentinelClient keeps it as it is: one pool, the primary's.
    return [f"redis://{parsed.service}/{parsed.db}"], options
