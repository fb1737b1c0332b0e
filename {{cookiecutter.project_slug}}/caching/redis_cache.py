"""Redis through django-redis (its REDIS_CLIENT_CLASS), leaving a failed server alone a while.

django-redis (IGNORE_EXCEPTIONS) turns a server that does not answer into misses.
This client logs the outage once (caching/health.py), and leaves the server alone
for retry_after seconds after a failure, so a hung server costs one call a socket
timeout, not every call: single commands and pipelines alike.

https://github.com/jazzband/django-redis#pluggable-redis-client
"""

import time

import redis
import redis.client
from redis.sentinel import SentinelConnectionPool

from .health import CacheHealth


class BackAfterOutage(redis.ConnectionError):
    """The first answer after an outage, turned into a failure: a read may be old.

    The command itself ran: a write that raised this was made.
    """


class RedisHealth(CacheHealth):
    """A Redis server's health, which also says when to try it again after a failure."""

    def __init__(self, name, retry_after):
        super().__init__(name)
        self.retry_after = retry_after
        self._retry_at = 0.0

    def failed(self, error, hint=None):
        self._retry_at = time.monotonic() + self.retry_after
        super().failed(error, hint)

    def should_try(self):
        """True while the server works, and for one call every retry_after seconds when not."""
        if self.works():
            return True
        with self._lock:
            if time.monotonic() < self._retry_at:
                return False
            self._retry_at = time.monotonic() + self.retry_after
            return True

    def call(self, send, *args, **kwargs):
        """send(*args, **kwargs) to the server, unless it failed a moment ago; its failure noted."""
        if not self.should_try():
            raise redis.ConnectionError(f"{self.name} failed a moment ago")
        try:
            result = send(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            self.failed(error)
            raise
        if self.worked():
            # The first answer after an outage may come from what the server held
            # before it, older than the writes that could not reach it: a miss.
            raise BackAfterOutage(f"{self.name} is back; its answer may be old")
        return result


class RedisWithBackoff(redis.Redis):
    """redis.Redis whose commands, one by one or in a pipeline, go through RedisHealth.call()."""

    def __init__(self, *args, retry_after=2.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.health = RedisHealth.of(server_name(self.connection_pool), retry_after=retry_after)

    def execute_command(self, *args, **options):
        return self.health.call(super().execute_command, *args, **options)

    def pipeline(self, transaction=True, shard_hint=None):
        # django-redis's set_many() and delete_pattern() send through a pipeline.
        # Built as redis.Redis.pipeline() builds it in redis-py 8.1, whose
        # Pipeline(connection_pool, response_callbacks, transaction, shard_hint)
        # tests/test_redis_cache.py checks.
        return PipelineWithBackoff(
            self.connection_pool, self.response_callbacks, transaction, shard_hint, self.health
        )


class PipelineWithBackoff(redis.client.Pipeline):
    """A pipeline whose execute() goes through RedisHealth.call(), as single commands do."""

    def __init__(self, connection_pool, response_callbacks, transaction, shard_hint, health):
        super().__init__(connection_pool, response_callbacks, transaction, shard_hint)
        self.health = health

    def execute(self, raise_on_error=True):
        return self.health.call(super().execute, raise_on_error)


def server_name(pool):
    """Where the pool connects, without the password: "Redis at 127.0.0.1:6379/1"."""
    kwargs = pool.connection_kwargs
    if isinstance(pool, SentinelConnectionPool):
        # Whichever server the sentinels name: it changes with each failover.
        return f"Redis Sentinel service {pool.service_name}/{kwargs.get('db', 0)}"
    where = kwargs.get("path") or f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    return f"Redis at {where}/{kwargs.get('db', 0)}"
