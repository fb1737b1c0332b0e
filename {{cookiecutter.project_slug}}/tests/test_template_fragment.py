{%- set d = derived(cookiecutter) -%}
"""Template fragment caching: the expensive part of a page is rendered once."""

import io

import pytest
from django.core.cache import cache, caches
from django.core.cache.utils import make_template_fragment_key
from django.core.management import call_command

from recipes.caching import RECIPES, recipes_version
from recipes.context_processors import fragment_caching

pytestmark = pytest.mark.django_db


def main_part(response):
    """The page without its header, whose CSRF token is new on every render."""
    return response.text.split("<main>", 1)[1]


@pytest.fixture(autouse=True)
def signed_in(client, django_user_model):
    """Sign in: a signed-in visitor's page is rendered every time, from the fragments."""
    user = django_user_model.objects.create_user("fragment-reader", password="unused-pw-1")
    client.force_login(user)


@pytest.fixture
def two_pages_of_recipes(db):
    """60 recipes: the list has two pages."""
    call_command("seed_recipes", count=60, stdout=io.StringIO())


def test_list_fragment_is_in_the_cache_after_a_render(client, recipes):
    key = make_template_fragment_key("recipe_list", [recipes_version(), 1])
    assert caches["pages"].get(key) is None
    client.get("/recipes/")
    assert recipes[0].name in caches["pages"].get(key)


def test_each_page_of_the_list_is_a_fragment_of_its_own(client, two_pages_of_recipes):
    client.get("/recipes/?page=2")
    version = recipes_version()
    pages = caches["pages"]
    assert pages.get(make_template_fragment_key("recipe_list", [version, 1])) is None
    assert ">Tomato soup #1<" in pages.get(make_template_fragment_key("recipe_list", [version, 2]))


@pytest.mark.parametrize("url", ["/recipes/", "/recipes/?page=2"])
def test_second_list_render_reads_no_recipes(
    client, url, two_pages_of_recipes, capture_recipe_queries
):
    first = client.get(url)
    with capture_recipe_queries() as queries:
        second = client.get(url)
    # At most the count, which checks the page number before anything is rendered.
    assert [sql for sql in queries if "COUNT(" not in sql] == []
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


def test_fragments_live_as_long_as_cache_timeout(client, recipes, settings):
    """The {% raw %}{% cache %}{% endraw %} blocks read CACHE_TIMEOUT: with 0, nothing is kept."""
    settings.CACHE_TIMEOUT = 0
    client.get("/recipes/")
    client.get(f"/recipes/{recipes[0].pk}/")
    version = recipes_version()
    list_key = make_template_fragment_key("recipe_list", [version, 1])
    detail_key = make_template_fragment_key("recipe_ingredients", [recipes[0].pk, version])
    assert caches["pages"].get_many([list_key, detail_key]) == {}
{%- if d.backend == "redis" %}


def test_fragments_expire_after_cache_timeout(client, recipes, settings):
    settings.CACHE_TIMEOUT = 1234
    client.get("/recipes/")
    key = make_template_fragment_key("recipe_list", [recipes_version(), 1])
    assert 1200 < caches["shared_pages"].ttl(key) <= 1234
{%- endif %}


def test_pages_that_show_no_fragment_never_read_the_version(rf):
    context = fragment_caching(rf.get("/accounts/login/"))
    assert cache.get(RECIPES.key) is None
    assert str(context["recipes_version"]) == recipes_version()
    assert cache.get(RECIPES.key) is not None
