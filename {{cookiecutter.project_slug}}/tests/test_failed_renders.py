"""A page that fails to render lets go of its render lock at once: it costs what a 404 costs.

On a miss, one request takes the page's render lock while the others wait for
its copy (caching/pages.py). A deleted recipe, a page past the last, a page
number that is not one, a view that raises: each frees the lock before the
answer leaves, per-site and per-view, under WSGI and ASGI, so the next visitor
takes the lock at once instead of waiting for a render that will never store.
"""

import time
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.test import AsyncClient, Client

from caching import pages
from recipes import views

pytestmark = pytest.mark.django_db

# What a visitor asks for, and the status it gets.
FAILURES = {
    "deleted-recipe": ("/recipes/{deleted}/", 404),
    "past-the-last-page": ("/recipes/?page=99999", 404),
    "not-a-page-number": ("/recipes/?page=abc", 404),
    "view-raises": ("/recipes/{kept}/", 500),
}


def render_that_fails(*args, **kwargs):
    raise RuntimeError("a template that fails")


@pytest.fixture(params=["wsgi", "asgi"])
def visit(request):
    """visit(url) -> the response to one GET through the WSGI or the ASGI handler, a 500 too."""
    if request.param == "asgi":
        return async_to_sync(AsyncClient(raise_request_exception=False).get)
    return Client(raise_request_exception=False).get


@pytest.fixture
def render_lock_polls(monkeypatch):
    """The polls made by requests waiting for another request's render, counted."""
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(pages, "time", SimpleNamespace(monotonic=time.monotonic, sleep=sleep))
    return polls


def held_render_locks(rf, url):
    """The render locks still held for url, read from the cache server.

    The per-site middleware's and cache_page's: both may take one for the same page.
    """
    locks = {
        pages.render_lock(rf.get(url), prefix)
        for prefix in (settings.CACHE_MIDDLEWARE_KEY_PREFIX, "")
    }
    return sorted(lock for lock in locks if caches["pages"].get(lock) is not None)


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_render_lets_go_of_its_lock(
    failure, visit, recipes, rf, render_lock_polls, monkeypatch
):
    url, status = FAILURES[failure]
    url = url.format(deleted=recipes[0].pk, kept=recipes[1].pk)
    recipes[0].delete()
    if failure == "view-raises":
        monkeypatch.setattr(views, "render", render_that_fails)
    for visitor in ("first", "second"):
        assert visit(url).status_code == status
        held = held_render_locks(rf, url)
        assert held == [], f"the {visitor} visit to {url} left its render lock: {held}"
    assert render_lock_polls == [], f"the second visit to {url} waited for a failed render"
