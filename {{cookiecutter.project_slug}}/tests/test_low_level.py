"""Low-level caching: the recipe list's data comes from the cache API."""

import pytest
from django.core.cache import cache

from recipes.caching import RECIPE_LIST_KEY, cached_recipe_list, recipes_version

pytestmark = pytest.mark.django_db


def test_two_calls_reach_the_database_once(
    recipes, capture_recipe_queries, assert_no_recipe_queries
):
    with capture_recipe_queries() as queries:
        first = cached_recipe_list()
    with assert_no_recipe_queries():
        second = cached_recipe_list()
    assert len(queries) == 2  # the recipes, then their ingredients
    assert [recipe.name for recipe in second] == [recipe.name for recipe in first]
    assert [ingredient.description for ingredient in second[0].ingredients.all()]


def test_the_list_is_stored_under_its_key(recipes):
    key = RECIPE_LIST_KEY.format(version=recipes_version())
    assert cache.get(key) is None
    cached_recipe_list()
    assert [recipe.pk for recipe in cache.get(key)] == [recipe.pk for recipe in recipes]


def test_a_committed_write_makes_the_list_stale(recipes, django_capture_on_commit_callbacks):
    cached_recipe_list()
    with django_capture_on_commit_callbacks(execute=True):
        recipes[0].ingredients.create(description="a pinch of salt")
    fresh = cached_recipe_list()
    assert "a pinch of salt" in [i.description for i in fresh[0].ingredients.all()]
