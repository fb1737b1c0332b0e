"""Per-view caching: cache_page serves repeat visits to the list and detail pages."""

import pytest
from django.core.cache import caches
from django.utils.cache import get_cache_key

pytestmark = pytest.mark.django_db
{%- if cookiecutter.cache_per_site %}


@pytest.fixture(autouse=True)
def without_per_site_cache(settings):
    """Turn the cache middleware off, so what caches here is cache_page alone."""
    per_site = {
        "caching.pages.StoreSharedPagesMiddleware",
        "caching.pages.ServeSharedPagesMiddleware",
        "caching.pages.NeverCacheForSignedInMiddleware",
    }
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name not in per_site]
{%- endif %}


def test_second_visit_makes_no_queries(client, url, assert_no_recipe_queries):
    first = client.get(url)
    with assert_no_recipe_queries():
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert "Age" in second
    assert "Age" not in first


def test_first_visit_fills_the_cache(client, rf, url):
    request, pages = rf.get(url), caches["pages"]
    assert get_cache_key(request, key_prefix="", cache=pages) is None
    first = client.get(url)
    key = get_cache_key(request, key_prefix="", cache=pages)
    assert key is not None
    assert pages.get(key).content == first.content


def test_the_stored_copy_lives_as_long_as_the_chosen_timeout(client, rf, url, settings):
    client.get(url)
    pages = caches["pages"]
    stored = pages.get(get_cache_key(rf.get(url), key_prefix="", cache=pages))
    assert stored["Cache-Control"] == f"max-age={settings.CACHE_TIMEOUT}"
