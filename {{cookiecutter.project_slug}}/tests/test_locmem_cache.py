{%- set any_level = cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level -%}
"""The cache is Django's local-memory cache, one per process."""

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
{%- if any_level %}

from tests.test_checks import check_ids
{%- endif %}


def test_an_entry_lands_in_local_memory():
    assert isinstance(caches["default"], LocMemCache)
    cache.set("probe", "hello")
    # Another cache object of the process, on the same LOCATION, shares the memory.
    assert caches.create_connection("default").get("probe") == "hello"
{%- if any_level %}


def test_local_memory_with_several_processes(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert check_ids() == ["recipes.W002"]


def test_local_memory_with_one_process(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert check_ids() == []
{%- endif %}
