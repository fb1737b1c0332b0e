"""When the cache fails, every page is still served, from the database."""

import logging

import pytest
from django.core.cache import cache

from tests.cache_server import unreachable_location

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_cache(settings, tmp_path):
    """Point every cache alias at a cache that fails, unique to this test.

    Each process reports an outage once per cache, so each test needs its own.
    """
    location = unreachable_location(tmp_path)
    settings.CACHES = {
        alias: config if in_front_of_another(config) else {**config, "LOCATION": location}
        for alias, config in settings.CACHES.items()
    }
    return location


def in_front_of_another(config):
    """An alias whose LOCATION names another alias (caching/local_copy.py)."""
    return config["BACKEND"] == "caching.local_copy.LocalCopyCache"


def test_pages_are_served_without_the_cache(client, recipes, broken_cache):
    recipe = recipes[0]
    for _ in range(2):
        listing = client.get("/recipes/")
        detail = client.get(f"/recipes/{recipe.pk}/")
        assert listing.status_code == detail.status_code == 200
        assert recipe.name in listing.text and recipe.name in detail.text
        assert "Age" not in listing


def test_healthz_reports_the_cache_down(client, broken_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "down"}


def test_an_outage_is_logged_once(client, recipes, broken_cache, caplog):
    with caplog.at_level(logging.INFO, logger="caching"):
        for _ in range(3):
            client.get("/recipes/")
            client.get("/healthz")  # Uses the cache whatever the caching levels.
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert "Cache unavailable" in warnings[0].getMessage()


def test_a_failed_cache_is_a_miss_for_every_call(broken_cache):
    cache.set("key", "value")
    assert cache.get("key", "missing") == "missing"
    assert cache.get_many(["key"]) == {}
    assert not cache.add("key", "value")
    assert not cache.has_key("key")
    assert not cache.delete("key")
