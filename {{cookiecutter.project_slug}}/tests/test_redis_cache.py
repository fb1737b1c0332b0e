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
    assert check_ids() == ["recipes.E004"]


def test_the_error_never_shows_the_password(settings):
    with_location(settings, ["http://user:s3cret@127.0.0.1:6379/0"])
    assert "s3cret" not in str(run_checks())
