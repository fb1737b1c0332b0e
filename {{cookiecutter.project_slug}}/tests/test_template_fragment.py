"""Template fragment caching: the expensive part of a page is rendered once."""

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key

from recipes.caching import recipes_version

pytestmark = pytest.mark.django_db


def main_part(response):
    """The page without its header, whose CSRF token is new on every render."""
    return response.text.split("<main>", 1)[1]
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}


@pytest.fixture(autouse=True)
def without_page_cache(client, django_user_model):
    """Sign in, so the page caches (anonymous visitors only) stay out of the way."""
    user = django_user_model.objects.create_user("fragment-reader", password="unused-pw-1")
    client.force_login(user)
{%- endif %}


def test_list_fragment_is_in_the_cache_after_a_render(client, recipes):
    key = make_template_fragment_key("recipe_list", [recipes_version()])
    assert caches["pages"].get(key) is None
    client.get("/recipes/")
    assert recipes[0].name in caches["pages"].get(key)


def test_second_list_render_reads_no_recipes(client, recipes, capture_recipe_queries):
    first = client.get("/recipes/")
    with capture_recipe_queries() as queries:
        second = client.get("/recipes/")
    assert queries == []
    assert main_part(second) == main_part(first)


def test_second_detail_render_reads_only_the_recipe(client, recipes, capture_recipe_queries):
    url = f"/recipes/{recipes[0].pk}/"
    with capture_recipe_queries() as first_queries:
        first = client.get(url)
    with capture_recipe_queries() as second_queries:
        second = client.get(url)
    assert len(first_queries) == 2  # the recipe, then its ingredients
    assert len(second_queries) == 1 and "recipes_ingredient" not in second_queries[0]
    assert main_part(second) == main_part(first)


def test_detail_fragment_is_keyed_by_recipe(client, recipes):
    first, second = recipes[0], recipes[1]
    client.get(f"/recipes/{first.pk}/")
    version = recipes_version()
    pages = caches["pages"]
    assert pages.get(make_template_fragment_key("recipe_ingredients", [first.pk, version]))
    assert pages.get(make_template_fragment_key("recipe_ingredients", [second.pk, version])) is None
