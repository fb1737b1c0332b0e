"""Per-site caching: the cache middleware serves repeat visits to any page."""

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import include, path
from django.utils.cache import get_cache_key

from recipes.models import Recipe

pytestmark = pytest.mark.django_db


def recipe_count(request):
    """A view with no caching of its own: only the middleware can cache it."""
    return HttpResponse(f"{Recipe.objects.count()} recipes")


urlpatterns = [path("count/", recipe_count), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
def test_second_visit_makes_no_queries(client, recipes, assert_no_recipe_queries):
    first = client.get("/count/")
    with assert_no_recipe_queries():
        second = client.get("/count/")
    assert second.content == first.content == b"3 recipes"
    assert "Age" in second
    assert "Age" not in first


@pytest.mark.urls(__name__)
def test_first_visit_fills_the_cache(client, rf, recipes, settings):
    request, pages = rf.get("/count/"), caches["pages"]
    assert get_cache_key(request, settings.CACHE_MIDDLEWARE_KEY_PREFIX, cache=pages) is None
    client.get("/count/")
    key = get_cache_key(request, settings.CACHE_MIDDLEWARE_KEY_PREFIX, cache=pages)
    assert key is not None
    assert pages.get(key).content == b"3 recipes"


@pytest.mark.urls(__name__)
def test_the_stored_copy_lives_as_long_as_the_chosen_timeout(client, rf, recipes, settings):
    client.get("/count/")
    request, pages = rf.get("/count/"), caches["pages"]
    stored = pages.get(get_cache_key(request, settings.CACHE_MIDDLEWARE_KEY_PREFIX, cache=pages))
    assert stored["Cache-Control"] == f"max-age={settings.CACHE_MIDDLEWARE_SECONDS}"


@pytest.mark.urls(__name__)
def test_a_visitor_with_a_session_is_served_without_the_page_cache(client, rf, recipes, settings):
    """A session cookie, even of a visitor not signed in, neither finds nor stores a page."""
    assert client.session.session_key  # A session of its own, saved in the database.
    for _ in range(2):
        assert "Age" not in client.get("/count/")
    request, pages = rf.get("/count/"), caches["pages"]
    assert get_cache_key(request, settings.CACHE_MIDDLEWARE_KEY_PREFIX, cache=pages) is None
