"""Each process is told the recipes version by Redis (caching/redis_push.py)."""

import time
import uuid

import pytest

from recipes.cache_calls import calls_per_hit
from recipes.caching import recipes_version
from recipes.version_store import pushed_version

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
