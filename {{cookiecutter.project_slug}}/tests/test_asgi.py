{%- set d = derived(cookiecutter) -%}
"""The same guarantees under ASGI (config/asgi.py) as under WSGI.

Per-request state is opened and dropped by a middleware (caching/requests.py),
which works under both handlers; signal receivers would not under ASGI.
"""

from contextvars import Context

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.http import HttpResponse
from django.test import AsyncClient, Client
from django.urls import include, path

from recipes.caching import RECIPES, invalidate_recipe_caches, recipes_version

pytestmark = pytest.mark.django_db


def version_twice(request):
    """The recipes version, read before and after another process replaces it."""
    before = recipes_version()
    # Run outside this request's context, as in another process.
    Context().run(invalidate_recipe_caches)
    return HttpResponse(f"{before} {recipes_version()}")


urlpatterns = [path("version-twice/", version_twice), path("", include("config.urls"))]


def get(handler, url):
    """One GET through the WSGI or the ASGI handler."""
    if handler == "asgi":
        return async_to_sync(AsyncClient().get)(url)
    return Client().get(url)


@pytest.fixture(params=["wsgi", "asgi"])
def handler(request):
    return request.param


@pytest.mark.urls(__name__)
def test_the_version_is_read_once_per_request(handler):
    before, after = get(handler, "/version-twice/").text.split()
    assert before == after, f"{handler}: the request saw the version change under it"
    # Outside a request: the version that is current, every time.
    assert recipes_version() == cache.get(RECIPES.key) != before
{%- if d.pages %}


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/1/"])
def test_second_visit_makes_no_queries(handler, url, recipes, assert_no_recipe_queries):
    url = url.replace("1", str(recipes[0].pk))
    first = get(handler, url)
    with assert_no_recipe_queries():
        second = get(handler, url)
    assert second.status_code == 200
    assert "Age" in second and "Age" not in first
    assert second.content == first.content


def test_edit_shows_on_next_request(handler, recipes, django_capture_on_commit_callbacks):
    get(handler, "/recipes/")
    with django_capture_on_commit_callbacks(execute=True):
        recipes[0].name = "Renamed soup"
        recipes[0].save()
    assert "Renamed soup" in get(handler, "/recipes/").text
{%- endif %}
