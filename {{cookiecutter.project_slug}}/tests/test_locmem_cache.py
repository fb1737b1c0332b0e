"""The cache is Django's local-memory cache, one per process."""

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from tests.test_checks import check_ids


def test_an_entry_lands_in_local_memory():
    assert isinstance(caches["default"], LocMemCache)
    cache.set("probe", "hello")
    # Another cache object of the process, on the same LOCATION, shares the memory.
    assert caches.create_connection("default").get("probe") == "hello"


def test_local_memory_with_several_processes(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert check_ids() == ["caching.W002"]


def test_local_memory_with_one_process(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert check_ids() == []
