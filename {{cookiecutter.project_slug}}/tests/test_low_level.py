"""Low-level caching: each page of the recipe list's rows comes from the cache API."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.paginator import InvalidPage

from recipes.caching import recipes_version
from recipes.lists import RECIPE_LIST_KEY, cached_recipe_list
from recipes.models import RECIPES_PER_PAGE, Recipe

pytestmark = pytest.mark.django_db


def test_two_calls_reach_the_database_once(
    recipes, capture_recipe_queries, assert_no_recipe_queries
):
    with capture_recipe_queries() as queries:
        first = cached_recipe_list(1)
    with assert_no_recipe_queries():
        second = cached_recipe_list(1)
    assert len(queries) == 3  # the count, the page's recipes, then their ingredients
    assert [recipe.name for recipe in second] == [recipe.name for recipe in first]
    assert [ingredient.description for ingredient in second[0].ingredients.all()]


def test_each_page_is_stored_under_its_own_key(db):
    call_command("seed_recipes", count=RECIPES_PER_PAGE + 10, stdout=io.StringIO())
    version = recipes_version()
    first, second = (RECIPE_LIST_KEY.format(version=version, number=n) for n in (1, 2))
    page = cached_recipe_list("2")
    assert cache.get(first) is None
    assert [recipe.pk for recipe in cache.get(second)] == [recipe.pk for recipe in page]
    assert [recipe.pk for recipe in page] == [r.pk for r in Recipe.objects.all()[RECIPES_PER_PAGE:]]
    assert (page.number, page.has_previous(), page.has_next()) == (2, True, False)


@pytest.mark.parametrize("number", ["abc", 0, 2, "9" * 300])
def test_a_number_that_names_no_page_raises(recipes, number):
    with pytest.raises(InvalidPage):
        cached_recipe_list(number)


def test_a_committed_write_makes_the_list_stale(recipes, django_capture_on_commit_callbacks):
    cached_recipe_list(1)
    with django_capture_on_commit_callbacks(execute=True):
        recipes[0].ingredients.create(description="a pinch of salt")
    fresh = cached_recipe_list(1)
    assert "a pinch of salt" in [i.description for i in fresh[0].ingredients.all()]
