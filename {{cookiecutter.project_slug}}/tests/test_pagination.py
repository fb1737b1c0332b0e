{%- set d = derived(cookiecutter) -%}
"""The recipe list in pages of 50, newest first: a page costs the same at any catalog size."""

import io
import re

import pytest
from django.core.management import call_command

from recipes.models import RECIPES_PER_PAGE, Recipe

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_recipes(db):
    """120 recipes, three pages; the newest first."""
    call_command("seed_recipes", count=120, stdout=io.StringIO())
    return list(Recipe.objects.all())


def names_on(response):
    """The recipe names a list page shows, in order."""
    return re.findall(r'<a href="/recipes/\d+/">([^<]+)</a>', response.text)


def links_on(response):
    """The page's previous and next links, None where there is none."""
    found = dict(re.findall(r'<a rel="(prev|next)"\s+href="([^"]+)"', response.text))
    return found.get("prev"), found.get("next")


def test_pages_show_fifty_recipes_newest_first(client, many_recipes):
    names = [recipe.name for recipe in many_recipes]
    assert names[0] == "Lentil curry #120"  # seeded last
    assert RECIPES_PER_PAGE == 50
    assert names_on(client.get("/recipes/")) == names[:50]
    assert names_on(client.get("/recipes/?page=2")) == names[50:100]
    assert names_on(client.get("/recipes/?page=3")) == names[100:]


def test_a_new_recipe_comes_first(client, many_recipes):
    Recipe.objects.create(name="Fresh bread")
    assert names_on(client.get("/recipes/"))[0] == "Fresh bread"


def test_pages_link_to_their_neighbours(client, many_recipes):
    assert links_on(client.get("/recipes/")) == (None, "/recipes/?page=2")
    assert links_on(client.get("/recipes/?page=2")) == ("/recipes/", "/recipes/?page=3")
    assert links_on(client.get("/recipes/?page=3")) == ("/recipes/?page=2", None)
    assert "Page 2 of 3" in client.get("/recipes/?page=2").text


def test_one_page_has_no_page_links(client, recipes):
    response = client.get("/recipes/")
    assert links_on(response) == (None, None)
    assert "Page 1 of 1" not in response.text


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "4", "999", "9" * 300])
def test_a_page_that_is_not_one_is_404(client, many_recipes, page):
    assert client.get(f"/recipes/?page={page}").status_code == 404


def test_an_empty_catalog_has_a_first_page(client, db):
    response = client.get("/recipes/")
    assert response.status_code == 200
    assert "No recipes yet" in response.text
    assert client.get("/recipes/?page=2").status_code == 404


def test_a_page_stays_small_with_20000_recipes(client, db):
    call_command("seed_recipes", count=20_000, stdout=io.StringIO())
    response = client.get("/recipes/")
    assert response.status_code == 200
    assert len(names_on(response)) == RECIPES_PER_PAGE
    assert len(response.content) < 200_000
    assert links_on(response) == (None, "/recipes/?page=2")
    assert client.get("/recipes/?page=400").status_code == 200
    assert client.get("/recipes/?page=401").status_code == 404
{%- if d.pages or cookiecutter.cache_low_level %}


def test_each_page_is_cached_on_its_own(client, many_recipes, assert_no_recipe_queries):
    first = client.get("/recipes/")
    second = client.get("/recipes/?page=2")
    with assert_no_recipe_queries():
        again = client.get("/recipes/?page=2")
    assert names_on(second) != names_on(first)
    assert names_on(again) == names_on(second)
{%- endif %}


def test_an_edit_shows_on_the_next_request_of_every_page(
    client, many_recipes, django_capture_on_commit_callbacks
):
    urls = ["/recipes/", "/recipes/?page=2", "/recipes/?page=3"]
    for _ in range(2):
        for url in urls:
            assert client.get(url).status_code == 200
    on_page_2 = many_recipes[RECIPES_PER_PAGE]
    with django_capture_on_commit_callbacks(execute=True):
        on_page_2.name = "Renamed on page 2"
        on_page_2.save()
        Recipe.objects.create(name="Newest of all")
    pages = [names_on(client.get(url)) for url in urls]
    assert pages[0][0] == "Newest of all"
    # Every page moved down by one: each starts with the last recipe of the page before.
    assert pages[1][:2] == [many_recipes[RECIPES_PER_PAGE - 1].name, "Renamed on page 2"]
    assert pages[2][0] == many_recipes[2 * RECIPES_PER_PAGE - 1].name
