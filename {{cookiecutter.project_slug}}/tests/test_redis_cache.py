"""The cache is django-redis on the Redis server in REDIS_URL."""

import inspect
import logging
import socket
import threading

import pytest
import redis.client
from django.core.cache import cache, caches
from django.core.checks import run_checks
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from caching.redis_cache import PipelineWithBackoff, RedisWithBackoff
from tests.test_checks import check_ids, with_location


def test_an_entry_lands_on_the_redis_server():
    assert isinstance(caches["default"], RedisCache)
    cache.set("probe", "hello")
    primary = get_redis_connection("default", write=True)
    assert isinstance(primary, RedisWithBackoff)
    assert primary.exists(cache.make_and_validate_key("probe")) == 1
    assert cache.get("probe") == "hello"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:6379/0", "127.0.0.1:6379", "redis://127.0.0.1:port/0"]
)
def test_a_redis_url_that_is_not_one(settings, url):
    with_location(settings, ["redis://127.0.0.1:6379/0", url])
    assert check_ids() == ["caching.E004"]


def test_the_error_never_shows_the_password(settings):
    with_location(settings, ["http://user:s3cret@127.0.0.1:6379/0"])
    assert "s3cret" not in str(run_checks())


@pytest.mark.parametrize(
    "location",
    [
        ["redis://mymaster/1"],  # What config/settings.py makes of a redis+sentinel:// URL.
        "redis+sentinel://:s3cret@sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/mymaster/1",
    ],
)
def test_redis_sentinel_passes(settings, location):
    with_location(settings, location)
    assert check_ids() == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis+sentinel://:s3cret@sentinel-1:26379", "it names no service"),
        ("redis+sentinel://:s3cret@sentinel-1:26379,sentinel-2:x/mymaster/1", "'sentinel-2:x'"),
        ("redis+sentinel://s3cret@sentinel-1:26379/mymaster/1", "colon"),
    ],
)
def test_a_malformed_redis_sentinel_url_in_one_line(settings, url, problem):
    with_location(settings, [url])
    errors = [message for message in run_checks() if message.id == "caching.E004"]
    assert len(errors) == 1
    assert errors[0].msg.startswith("REDIS_URL is not a Redis Sentinel URL: ")
    assert problem in errors[0].msg and "\n" not in errors[0].msg
    assert "s3cret" not in str(errors[0])


def test_pipelines_are_built_as_redis_py_builds_them():
    # RedisWithBackoff.pipeline() builds redis-py's Pipeline the way redis.Redis.pipeline()
    # does in redis-py 8.1: another signature means it must be looked at again.
    parameters = list(inspect.signature(redis.client.Pipeline.__init__).parameters)
    assert parameters == [
        "self",
        "connection_pool",
        "response_callbacks",
        "transaction",
        "shard_hint",
    ]
    pipeline = get_redis_connection("default", write=True).pipeline()
    assert isinstance(pipeline, PipelineWithBackoff)
    key = cache.make_key("piped")  # Made through the cache: deleted when the suite ends.
    assert pipeline.set(key, "1").get(key).execute() == [True, b"1"]


class ClosingPort:
    """A loopback port that counts the connections made to it and closes each at once.

    What a client of a Redis server that went down meets, counted.
    """

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # Closed: the test is over.
                return
            self.connections += 1
            connection.close()


@pytest.fixture
def redis_gone(settings):
    """The default cache on a Redis that went down, tried again only after an hour."""
    port = ClosingPort()
    default = settings.CACHES["default"]
    options = {
        **default["OPTIONS"],
        "REDIS_CLIENT_KWARGS": {"retry_after": 3600},
        # One connection for each call that tries the server (redis-py retries 3 times).
        "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},
    }
    location = f"redis://127.0.0.1:{port.port}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**default, "LOCATION": location, "OPTIONS": options},
    }
    yield port
    port.listener.close()


def test_batch_calls_in_an_outage_are_misses_logged_once_and_backed_off(redis_gone, caplog):
    # django-redis sends set_many() and delete_pattern() through a pipeline.
    with caplog.at_level(logging.INFO, logger="caching"):
        cache.set_many({"a": 1, "b": 2})  # Finds the server gone.
        tried = redis_gone.connections
        assert tried == 1
        cache.set_many({"a": 1})
        cache.delete_many(["a", "b"])
        cache.delete_pattern("*")
        assert cache.get_many(["a", "b"]) == {}
        cache.set_many({"b": 2})
    assert redis_gone.connections == tried, "a call tried the server within retry_after"
    warnings = [
        record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1 and "Cache unavailable" in warnings[0], warnings
