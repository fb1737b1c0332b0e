{%- set d = derived(cookiecutter) -%}
"""The cache is Django's pymemcache backend on the servers in MEMCACHED_SERVERS."""

import logging
from collections import Counter

import pytest
from django.core.cache import cache, caches
from django.core.signals import request_finished
from pymemcache.client.base import Client

from caching.backend_checks import check_memcached_servers
from caching.health import CacheHealth
from caching.memcached_cache import BlakeRendezvousHash, KeptOpen, MissOnErrorPyMemcacheCache
{%- if d.any_level %}
from recipes.caching import RECIPES, invalidate_recipe_caches
{%- endif %}
from tests.test_checks import with_location


def memcached_servers(settings):
    """A plain pymemcache client for each server, to look at it directly."""
    addresses = [server.rsplit(":", 1) for server in settings.CACHES["default"]["LOCATION"]]
    return [Client((host, int(port))) for host, port in addresses]


def connections_counter(settings):
    """A function giving how many connections the first server has accepted so far."""
    server = memcached_servers(settings)[0]
    return lambda: server.stats()[b"total_connections"]


def test_an_entry_lands_on_one_of_the_memcached_servers(settings):
    assert isinstance(caches["default"], MissOnErrorPyMemcacheCache)
    cache.set("probe", "hello")
    key = cache.make_and_validate_key("probe")
    holding = [server for server in memcached_servers(settings) if server.get(key)]
    assert len(holding) == 1
    assert cache.get("probe") == "hello"


def test_the_first_read_after_an_outage_is_a_miss(settings):
    """What the server held from before may be older than the writes it missed."""
    cache.set("probe", "from before the outage")
    (server,) = settings.CACHES["default"]["LOCATION"]
    CacheHealth.of(f"memcached at {server}").failed(OSError("an outage for this test"))
    assert cache.get("probe") is None
    assert cache.get("probe") == "from before the outage"


def test_keys_spread_evenly_over_servers():
    nodes = [f"10.0.0.{number}:11211" for number in range(3)]
    hasher = BlakeRendezvousHash(list(nodes))
    counts = Counter(hasher.get_node(f"key-{number}") for number in range(3000))
    assert set(counts) == set(nodes)
    assert all(800 < count < 1200 for count in counts.values()), counts
    # The same key goes to the same server in every process.
    assert BlakeRendezvousHash(list(nodes)).get_node("key-1") == hasher.get_node("key-1")


@pytest.mark.django_db
def test_each_request_closes_its_connections(client, settings):
    """Django closes the cache at the end of each request, and the connections go with it.

    So each request connects anew: the server counts the connections it accepted.
    """
    connections_so_far = connections_counter(settings)
    client.get("/healthz")
    before = connections_so_far()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert connections_so_far() >= before + 3


@pytest.mark.django_db  # request_finished closes the database connections too.
def test_kept_open_keeps_its_connection_from_one_request_to_the_next(settings):
    kept = KeptOpen(caches, "default")
    kept().set("probe", "kept")
    connections_so_far = connections_counter(settings)
    before = connections_so_far()
    for _ in range(3):
        request_finished.send(sender=None)  # Django closes every cache alias.
        assert kept().get("probe") == "kept"
    assert connections_so_far() == before


def test_kept_open_follows_a_change_of_the_caches_setting(settings, test_caches):
    kept = KeptOpen(caches, "default")
    kept().set("probe", "under the old key prefix")
    settings.CACHES = test_caches.settings(suffix="-changed")
    assert kept().get("probe") is None
    kept().set("probe", "under the new key prefix")
    assert cache.get("probe") == "under the new key prefix"
{%- if d.any_level %}


@pytest.mark.django_db  # request_finished closes the database connections too.
def test_the_recipes_version_is_read_without_connecting_again(settings):
    """Every request reads it: on a connection kept open between requests."""
    invalidate_recipe_caches()
    version = cache.get(RECIPES.key)
    connections_so_far = connections_counter(settings)
    before = connections_so_far()
    for _ in range(3):
        request_finished.send(sender=None)  # Django closes every cache alias.
        assert RECIPES.current() == version
    assert connections_so_far() == before
{%- endif %}


def test_a_dead_server_of_a_pool_is_reported_alone(settings, tmp_path, caplog):
    """Its keys go to the others; the servers that work are never reported."""
    dead = tmp_path / "dead-memcached.sock"  # No server listens on it.
    with_location(settings, [*settings.CACHES["default"]["LOCATION"], f"unix:{dead}"])
    keys = [f"key-{number}" for number in range(20)]
    with caplog.at_level(logging.INFO, logger="caching"):
        for key in keys:
            cache.set(key, "value")
        found = cache.get_many(keys)
    assert len(found) >= len(keys) - 1  # At most the first key for the dead server is lost.
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"Cache unavailable: memcached at {dead} ")


# The check itself, not run_checks(): Django's own checks would build a client for
# these servers, and pymemcache fails on them.
@pytest.mark.parametrize("server", ["localhost", "127.0.0.1:port", "127.0.0.1:99999", "", "a b:1"])
def test_a_memcached_server_that_is_not_host_port(settings, server):
    with_location(settings, ["127.0.0.1:11211", server])
    assert [error.id for error in check_memcached_servers(None)] == ["caching.E003"]


def test_memcached_servers_in_every_form(settings):
    with_location(settings, ["10.0.0.1:11211", "cache.internal:11212", "[::1]:11211"])
    assert check_memcached_servers(None) == []
