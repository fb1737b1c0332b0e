"""The cache keeps the contract of Django's cache API, whichever backend holds it.

What a stock Django backend does, ours does: only a failure of the cache itself
(tests/test_cache_outage.py) is turned into a miss, never a mistake in the call.
https://docs.djangoproject.com/en/5.2/topics/cache/#the-low-level-cache-api
"""

import pickle
import threading

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_a_stored_none_comes_back_as_none():
    cache.set("nothing", None)
    assert cache.get("nothing", "missing") is None


def test_add_and_delete_are_seen_at_once():
    assert cache.add("added", "first") is True
    assert cache.add("added", "second") is False
    assert cache.get("added") == "first"
    assert cache.delete("added") is True
    assert cache.get("added", "missing") == "missing"
    assert cache.add("added", "third") is True
    assert cache.get("added") == "third"


def test_many_at_once():
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    cache.delete_many(["a", "b"])
    assert cache.get_many(["a", "b"]) == {}


def test_a_key_that_is_not_a_string_is_its_str():
    cache.set(42, "answer")
    assert cache.get(42) == cache.get("42") == "answer"
    assert cache.has_key(42)


def test_counters():
    cache.set("count", 1)
    assert cache.incr("count") == 2
    assert cache.decr("count", 2) == 0
    with pytest.raises(ValueError):
        cache.incr("no_such_counter")


def test_a_value_that_cannot_be_pickled_raises():
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        cache.set("lock", threading.Lock())


def test_incr_of_a_value_that_is_not_a_number_raises():
    cache.set("text", "not a number")
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own kind.
        cache.incr("text")
    assert cache.get("text") == "not a number"
