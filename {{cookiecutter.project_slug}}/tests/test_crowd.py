"""A crowd right after an edit: the page is rendered once, the others wait for it.

Run where add() is atomic between the live server's threads; the post-gen hook
leaves this file out for the file cache (its add() is has_key() then set()) and
the database cache (the live server shares one SQLite connection between its
threads, so their transactions interleave).
"""

import threading
import urllib.request

import pytest
from django.test.signals import template_rendered

from recipes.caching import invalidate_recipe_caches


@pytest.fixture
def renders():
    """The names of the templates rendered meanwhile, in any thread of this process."""
    names, lock = [], threading.Lock()

    def count(sender, template, **kwargs):
        with lock:
            names.append(template.name)

    template_rendered.connect(count)
    yield names
    template_rendered.disconnect(count)


@pytest.mark.django_db(transaction=True)
def test_a_crowd_after_an_edit_renders_the_page_once(live_server, recipes, renders):
    url = f"{live_server.url}/recipes/"
    urllib.request.urlopen(url, timeout=10).read()
    invalidate_recipe_caches()
    renders.clear()
    statuses = []

    def visit():
        with urllib.request.urlopen(url, timeout=10) as response:
            statuses.append(response.status)

    crowd = [threading.Thread(target=visit) for _ in range(12)]
    for thread in crowd:
        thread.start()
    for thread in crowd:
        thread.join()
    assert statuses == [200] * 12
    assert renders.count("recipes/recipe_list.html") == 1, renders
