"""Each process is told the recipes version by Redis (caching/redis_push.py)."""

import time
import uuid

import pytest
import redis
from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted

from recipes.cache_calls import calls_per_hit
from recipes.caching import recipes_version
from recipes.version_store import RECIPES_VERSION_KEY, VERSION_CACHE, pushed_version, raising
from tests.cache_server import unreachable_location
from tests.test_checks import with_location

pytestmark = pytest.mark.django_db


def test_the_listener_of_a_key_no_longer_followed_asks_redis_nothing(settings, test_caches):
    # This test's key holds no version yet: its listener is unsure, and reads the
    # version once a second until it has one.
    assert pushed_version.get() is None
    time.sleep(0.4)
    # Another key (as when the settings change): a listener of its own takes over.
    settings.CACHES = test_caches.settings(suffix=f"-{uuid.uuid4().hex[:8]}")
    recipes_version()
    # Long enough for the first listener to wake: it stops without a word to Redis.
    assert calls_per_hit(lambda: time.sleep(0.15), 10) == 0


def test_a_version_redis_refuses_is_an_error_the_cache_would_swallow(settings, tmp_path):
    """django-redis's cache.set() says None when Redis refused; the client the store uses raises.

    recipes/version_store.py relies on it (django-redis 7.0) to tell a refused
    version from a stored one, and to log why.
    """
    with_location(settings, unreachable_location(tmp_path))
    assert caches[VERSION_CACHE].set(RECIPES_VERSION_KEY, "v1", timeout=None) is None
    with pytest.raises(ConnectionInterrupted) as refused:
        raising(VERSION_CACHE).set(RECIPES_VERSION_KEY, "v1", timeout=None)
    assert isinstance(refused.value.__cause__, redis.ConnectionError)
    with pytest.raises(ConnectionInterrupted):
        raising(VERSION_CACHE).delete(RECIPES_VERSION_KEY)
