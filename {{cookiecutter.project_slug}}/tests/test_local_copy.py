{%- set backend = cookiecutter.cache_backend -%}
{%- set page_levels = cookiecutter.cache_per_site or cookiecutter.cache_per_view -%}
"""Each process keeps a copy of the versioned entries it has read (caching/local_copy.py).

Pages, their header entries and fragments are stored under keys that carry the
recipes version, so what is stored under a key never changes: an entry this
process has read before is served from its own memory.
{%- if backend == "redis" %} A hit asks Redis nothing
at all: the version is pushed to each process (caching/redis_push.py).
{%- else %} A hit asks the cache
for the recipes version alone.
{%- endif %}
"""

import pickle
import time

import pytest
from django.core.cache import caches
{%- if backend == "redis" %}
from django_redis import get_redis_connection
{%- elif backend == "memcached" %}
from pymemcache.client.base import Client as MemcacheClient
{%- elif backend == "db" %}
from django.db import connection
from django.test.utils import CaptureQueriesContext
{%- endif %}

from caching.local_copy import Sealed
{%- if backend == "redis" %}
from recipes.caching import recipes_version
from recipes.version_store import pushed_version
{%- else %}
from recipes.caching import recipes_version
{%- endif %}

pytestmark = pytest.mark.django_db
ONE_KB = "x" * 1000


@pytest.fixture
def pages():
    return caches["pages"]


@pytest.fixture
def small_copy(settings):
    """The pages cache, with room in its local copy for three entries of 1 kB."""
    entry_bytes = len(pickle.dumps(ONE_KB, pickle.HIGHEST_PROTOCOL)) + 300
    pages = {**settings.CACHES["pages"], "OPTIONS": {"MAX_BYTES": 3 * entry_bytes}}
    settings.CACHES = {**settings.CACHES, "pages": pages}
    return caches["pages"]


def copied(pages, key):
    return pages.shared.make_key(key) in pages.local_copy
{%- if page_levels %}


def served_from_cache(response):
    """A page from the page cache says how old it is."""
    return response.status_code == 200 and "Age" in response
{%- else %}


def served_from_cache(response):
    """A page built from cached fragments."""
    return response.status_code == 200
{%- endif %}


def test_the_copy_is_bounded_by_bytes(small_copy):
    for number in range(10):
        small_copy.set(f"entry-{number}", ONE_KB)
    assert len(small_copy.local_copy) == 3
    assert small_copy.local_copy.bytes <= small_copy.max_bytes
    # What is not copied any more is still in the shared cache.
    assert all(small_copy.get(f"entry-{number}") == ONE_KB for number in range(10))


def test_the_least_recently_used_entry_goes_first(small_copy):
    for name in ("a", "b", "c"):
        small_copy.set(name, ONE_KB)
    small_copy.get("a")  # Read: now the most recently used.
    small_copy.set("d", ONE_KB)
    assert [name for name in "abcd" if copied(small_copy, name)] == ["a", "c", "d"]


def test_a_copy_never_outlives_its_entry(pages):
    pages.set("short-lived", "soon gone", timeout=1)
    assert copied(pages, "short-lived")
    time.sleep(1.1)
    assert pages.get("short-lived") is None
    assert not copied(pages, "short-lived")


def test_a_copy_keeps_the_expiry_another_process_stored(pages):
    # Stored by another process 50 s ago with a timeout of 60 s: 10 s left, not 60.
    expires_at = time.time() + 10
    pages.shared.set("theirs", Sealed(expires_at, pickle.dumps("their page")), 10)
    assert pages.get("theirs") == "their page"
    assert pages.local_copy.get(pages.shared.make_key("theirs")).expires_at == expires_at


def test_each_hit_gets_an_object_of_its_own(pages):
    pages.set("a-list", [1])
    pages.get("a-list").append(2)  # As Django's middleware changes the responses it serves.
    assert pages.get("a-list") == [1]


def test_a_stored_none_is_none_not_a_miss(pages):
    pages.set("nothing", None)
    assert pages.get("nothing", "missing") is None
    assert pages.get("nothing", "missing") is None  # From the local copy this time.
    assert pages.get_many(["nothing", "absent"]) == {"nothing": None}


def test_a_delete_is_seen_at_once(pages):
    pages.set("page", "old")
    pages.delete("page")
    assert pages.get("page") is None


def test_a_lock_taken_with_add_is_never_copied(pages):
    assert pages.add("lock", "taken", 5)
    assert pages.get("lock") == "taken"
    assert not copied(pages, "lock")
    pages.shared.delete("lock")  # Released by the process that took it.
    assert pages.get("lock") is None


def test_only_entries_under_the_recipes_version_are_copied(client, recipes):
    caches["default"].set("unversioned", "not copied")
    caches["pages"].local_copy.clear()
    client.get("/recipes/")
    client.get(f"/recipes/{recipes[0].pk}/")
    keys = caches["pages"].local_copy.keys()
    assert keys, "nothing was copied"
    assert all(recipes_version() in key for key in keys), keys
{%- if backend == "redis" %}


def commands_answered():
    """Commands Redis has answered so far, but INFO (this count) and the listener's PINGs."""
    stats = get_redis_connection("default").info("commandstats")
    return sum(
        stat["calls"]
        for name, stat in stats.items()
        if name not in ("cmdstat_info", "cmdstat_ping")
    )


@pytest.fixture
def version_pushed(recipes):
    """Wait (up to 5 s) until this process knows the recipes version without asking."""
    deadline = time.monotonic() + 5
    while recipes_version() and pushed_version.get() is None:  # The first read stores one.
        assert time.monotonic() < deadline, "the recipes version was never pushed"
        time.sleep(0.01)


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/1/"])
def test_a_hit_asks_redis_nothing(client, url, recipes, version_pushed):
    url = url.replace("1", str(recipes[0].pk))
    client.get(url)  # A miss: rendered, stored, copied.
    client.get(url)  # The first hit.
    before = commands_answered()
    for _ in range(10):
        assert served_from_cache(client.get(url))
    assert commands_answered() - before == 0

{%- elif backend == "memcached" %}


def gets_answered(settings):
    """get commands the memcached servers have answered so far."""
    total = 0
    for server in settings.CACHES["default"]["LOCATION"]:
        host, port = server.rsplit(":", 1)
        client = MemcacheClient((host, int(port)))
        total += int(client.stats()[b"cmd_get"])
        client.close()
    return total


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/1/"])
def test_a_hit_asks_memcached_for_the_version_alone(client, url, recipes, settings):
    url = url.replace("1", str(recipes[0].pk))
    client.get(url)
    client.get(url)
    before = gets_answered(settings)
    for _ in range(10):
        assert served_from_cache(client.get(url))
    assert gets_answered(settings) - before == 10
{%- elif backend == "db" %}


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/1/"])
def test_a_hit_asks_the_cache_table_for_the_version_alone(client, url, recipes, settings):
    url = url.replace("1", str(recipes[0].pk))
    client.get(url)
    client.get(url)
    table = settings.CACHES["default"]["LOCATION"]
    with CaptureQueriesContext(connection) as captured:
        assert served_from_cache(client.get(url))
    reads = [query for query in captured.captured_queries if f'"{table}"' in query["sql"]]
    assert len(reads) == 1, reads
{%- endif %}
