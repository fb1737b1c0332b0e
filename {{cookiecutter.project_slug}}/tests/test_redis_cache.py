"""The cache is django-redis on the Redis server in REDIS_URL."""

import pytest
from django.core.cache import cache, caches
from django.core.checks import run_checks
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from caching.redis_cache import Redis
from tests.test_checks import check_ids, with_location


def test_an_entry_lands_on_the_redis_server():
    assert isinstance(caches["default"], RedisCache)
    cache.set("probe", "hello")
    primary = get_redis_connection("default", write=True)
    assert isinstance(primary, Redis)
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
