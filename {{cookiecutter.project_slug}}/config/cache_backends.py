{%- set backend = cookiecutter.cache_backend -%}
"""Cache backends that keep the site up when the cache fails.

A cache call that fails is a cache miss: the page is built from the database, as
if nothing were cached. Each process logs a warning when the cache fails and a
note when it works again: once per outage, not once per request.
{%- if backend == "redis" %}

After a failure the server is left alone for a few seconds, so a server that
accepts connections but never answers costs one cache call a socket timeout, not
every call of every request.
{%- elif backend == "memcached" %}

pymemcache does most of it (ignore_exc, retry_attempts and dead_timeout in
config/settings.py); this module reports it.
{%- endif %}

https://docs.djangoproject.com/en/5.2/topics/cache/#using-a-custom-cache-backend
"""
{% if backend == "memcached" %}
import hashlib
{%- endif %}
import logging
{%- if backend == "file" %}
import os
{%- endif %}
import threading
import time
{%- if backend == "redis" %}

import redis
from django.dispatch import Signal
from redis.sentinel import SentinelConnectionPool
{%- elif backend == "memcached" %}

from django.core.cache.backends import memcached
from django.dispatch import Signal
from pymemcache.client.hash import HashClient
from pymemcache.client.rendezvous import RendezvousHash
from pymemcache.exceptions import MemcacheUnexpectedCloseError
{%- elif backend == "db" %}

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import DatabaseError, connections, router, transaction
from django.dispatch import Signal
{%- elif backend == "file" %}

from django.core.cache.backends import filebased
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.dispatch import Signal
{%- endif %}

logger = logging.getLogger(__name__)

# Sent when a cache that failed works again. Writes made in between could not
# reach it, so what it held from before may be out of date.
cache_works_again = Signal()
{%- if backend == "memcached" %}
# The server did not answer: down, unreachable, or silent past the timeout.
NO_ANSWER = (OSError, MemcacheUnexpectedCloseError)
{%- endif %}


class CacheHealth:
    """Whether one cache {% if backend in ["redis", "memcached"] %}server{% else %}store{% endif %} works, as this process last saw it.

    One instance per {% if backend in ["redis", "memcached"] %}server{% else %}store{% endif %}, shared by every cache alias that uses it, so an
    outage is reported once whichever alias met it first.
    """

    _instances = {}
    _instances_lock = threading.Lock()

    @classmethod
    def of(cls, name{% if backend == "redis" %}, retry_after{% endif %}):
        health = cls._instances.get(name)
        if health is None:
            with cls._instances_lock:
                health = cls._instances.setdefault(name, cls(name{% if backend == "redis" %}, retry_after{% endif %}))
        return health

    def __init__(self, name{% if backend == "redis" %}, retry_after{% endif %}):
        self.name = name
        self.down_since = None
{%- if backend == "redis" %}
        self.retry_after = retry_after
        self._retry_at = 0.0
{%- endif %}
        self._lock = threading.Lock()

    def failed(self, error, hint=None):
        """Note a failure; the first of an outage is logged, with hint() if given."""
        with self._lock:
{%- if backend == "redis" %}
            self._retry_at = time.monotonic() + self.retry_after
{%- endif %}
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.warning(
            "Cache unavailable: %s (%s). Pages are built without it until it works again.%s",
            self.name,
            getattr(error, "strerror", None) or str(error) or type(error).__name__,
            f" {hint()}" if hint else "",
        )

    def worked(self):
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds, self.down_since = time.monotonic() - self.down_since, None
        logger.info("Cache available again: %s, after %.0f s.", self.name, seconds)
        cache_works_again.send(sender=type(self), name=self.name)
{%- if backend == "redis" %}

    def should_try(self):
        """True while the server works, and for one call every retry_after seconds when not."""
        if self.down_since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.retry_after
            return True


class Redis(redis.Redis):
    """redis-py's client, leaving a server that failed alone for retry_after seconds.

    django-redis (IGNORE_EXCEPTIONS) turns the errors raised here into cache misses.
    """

    def __init__(self, *args, retry_after=2.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.health = CacheHealth.of(server_name(self.connection_pool), retry_after)

    def execute_command(self, *args, **options):
        if not self.health.should_try():
            raise redis.ConnectionError(f"{self.health.name} failed a moment ago")
        try:
            result = super().execute_command(*args, **options)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            self.health.failed(error)
            raise
        self.health.worked()
        return result


def server_name(pool):
    """Where the pool connects, without the password: "Redis at 127.0.0.1:6379/1"."""
    kwargs = pool.connection_kwargs
    if isinstance(pool, SentinelConnectionPool):
        # Whichever server the sentinels name: it changes with each failover.
        return f"Redis Sentinel service {pool.service_name}/{kwargs.get('db', 0)}"
    where = kwargs.get("path") or f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    return f"Redis at {where}/{kwargs.get('db', 0)}"
{%- elif backend == "memcached" %}


class BlakeRendezvousHash(RendezvousHash):
    """pymemcache's rendezvous hashing, on blake2b instead of its own murmur3.

    pymemcache's murmur3 is written in Python: about 40 µs a key, on every cache
    call, and a cached page reads three keys. blake2b runs in C, in about a
    microsecond. With a single server there is nothing to choose, so nothing is
    hashed. Every process of a release hashes alike; a new release never reads
    an older one's keys anyway (KEY_PREFIX in config/settings.py).
    """

    def __init__(self, nodes=None, seed=0):
        super().__init__(nodes, seed, hash_function=blake2b_32)

    def get_node(self, key):
        if len(self.nodes) == 1:
            return self.nodes[0]
        return super().get_node(key)


def blake2b_32(value, seed=0):
    digest = hashlib.blake2b(value.encode(), digest_size=4, salt=seed.to_bytes(16, "big"))
    return int.from_bytes(digest.digest(), "big")


class ReportingHashClient(HashClient):
    """pymemcache's client for a set of servers, reporting when one fails and comes back."""

    def __init__(self, servers, hasher=BlakeRendezvousHash, **kwargs):
        super().__init__(servers, hasher=hasher, **kwargs)

    # Every command to one server goes through this method of HashClient.
    def _safely_run_func(self, client, func, default_val, *args, **kwargs):
        health = CacheHealth.of(server_name(client.server))

        def reporting_func(*args, **kwargs):
            try:
                result = func(*args, **kwargs)
            except NO_ANSWER as error:
                health.failed(error)
                raise
            if func != client.close:  # Closing a socket proves nothing.
                health.worked()
            return result

        return super()._safely_run_func(client, reporting_func, default_val, *args, **kwargs)


def server_name(server):
    """The server as the log names it: memcached at 127.0.0.1:11211."""
    return f"memcached at {':'.join(map(str, server)) if isinstance(server, tuple) else server}"


class PyMemcacheCache(memcached.PyMemcacheCache):
    """Django's pymemcache backend, on the client above, keeping its connections open."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReportingHashClient

    def close(self, **kwargs):
        # Django disconnects from every server at the end of each request, so each
        # request would connect again: a TCP handshake per server per request. Each
        # thread has a client of its own, and a connection that broke meanwhile is
        # a miss, then connected again (retry_attempts in config/settings.py).
        pass
{%- else %}


class MissOnError:
    """Cache methods that return a miss when the cache raises one of `errors`.

    Reads that fail and writes that fail are reported; only a write that works
    proves the cache works again.
    """

    errors = ()

    def has_key(self, key, version=None):
        return self._or_miss(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or_miss(super().set, None, key, value, timeout, version, proves_it_works=True)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_miss(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_miss(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._or_miss(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        self._or_miss(super().delete_many, None, keys, version)

    def _or_miss(self, method, miss, *args, proves_it_works=False):
        try:
            result = self.call(method, *args)
        except self.errors as error:
            self.health.failed(error, self.hint)
            return miss
        if proves_it_works:
            self.health.worked()
        return result

    def call(self, method, *args):
        return method(*args)

    def hint(self):
        """What to do about it, for the log."""
        return ""
{%- endif %}
{%- if backend == "db" %}


class DatabaseCache(MissOnError, db.DatabaseCache):
    """Django's database cache, where a missing table or a failed query is a miss.

    Without this, a missing table (`manage.py createcachetable` makes it) would
    turn every page into an error page with a database traceback.
    """

    errors = (DatabaseError,)

    def __init__(self, table, params):
        super().__init__(table, params)
        self.health = CacheHealth.of(f"the cache table {table!r}")

    def get_many(self, keys, version=None):  # get() reads through it.
        return self._or_miss(super().get_many, {}, keys, version)

    def call(self, method, *args):
        connection = connections[router.db_for_write(self.cache_model_class)]
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            return method(*args)
        # On PostgreSQL a failed query aborts the transaction around it: there,
        # the cache's queries get a savepoint of their own.
        with transaction.atomic(using=connection.alias):
            return method(*args)

    def hint(self):
        connection = connections[router.db_for_read(self.cache_model_class)]
        try:
            with connection.cursor() as cursor:
                tables = connection.introspection.table_names(cursor)
        except DatabaseError:
            return ""
        if self._table in tables:
            return ""
        return "It does not exist: run `python manage.py createcachetable`."
{%- elif backend == "file" %}


class FileBasedCache(MissOnError, filebased.FileBasedCache):
    """Django's file cache, where a directory it cannot write is a cache miss."""

    errors = (OSError,)

    def __init__(self, directory, params):
        self.health = CacheHealth.of(f"the cache directory {os.path.abspath(directory)!r}")
        super().__init__(directory, params)

    def get(self, key, default=None, version=None):  # get_many() reads through it.
        return self._or_miss(super().get, default, key, default, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's add() is has_key() then set(), and set() here never raises:
        # whether the value was stored, the health says.
        return super().add(key, value, timeout, version) and self.health.down_since is None

    def _createdir(self):
        # Django creates the directory when the cache is first used and before each write.
        self._or_miss(super()._createdir, None)

    def hint(self):
        return "Make it writable by the user running the site, or set CACHE_DIR."
{%- endif %}
