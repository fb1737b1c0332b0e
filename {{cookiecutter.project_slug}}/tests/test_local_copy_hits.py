{%- set d = derived(cookiecutter) -%}
"""A hit served from this process's copy asks the shared cache for the recipes version at most.

That number is the backend's own (CALLS_PER_HIT in tests/cache_server.py), counted
as `manage.py cachebench` counts them (its net/hit).
"""

import pytest

from recipes.cache_calls import calls_per_hit
from tests.cache_server import CALLS_PER_HIT

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

    def hit():
        assert served_from_cache(client.get(url))

    assert calls_per_hit(hit, 10) == CALLS_PER_HIT
