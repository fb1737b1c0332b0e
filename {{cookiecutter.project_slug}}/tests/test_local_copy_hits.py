{%- set d = derived(cookiecutter) -%}
"""A hit served from this process's copy asks the shared cache for the recipes version at most.

How many calls that is, and how they are counted, is the backend's own
(CALLS_PER_HIT and calls_to_the_cache() in tests/cache_server.py).
"""

import pytest

from tests.cache_server import CALLS_PER_HIT, calls_to_the_cache

pytestmark = pytest.mark.django_db
{%- if d.pages %}


def served_from_cache(response):
    """A page from the page cache says how old it is."""
    return response.status_code == 200 and "Age" in response
{%- else %}


def served_from_cache(response):
    """A page built from cached fragments."""
    return response.status_code == 200
{%- endif %}


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/1/"])
def test_a_hit_asks_the_shared_cache_for_the_version_at_most(client, url, recipes):
    url = url.replace("1", str(recipes[0].pk))
    client.get(url)  # A miss: rendered, stored, copied.
    client.get(url)  # The first hit.
    with calls_to_the_cache() as calls:
        for _ in range(10):
            assert served_from_cache(client.get(url))
    assert len(calls) == 10 * CALLS_PER_HIT, calls
