"""The recipe list's rows, cached with the low-level cache API under the recipes version.

https://docs.djangoproject.com/en/5.2/topics/cache/#the-low-level-cache-api
"""

from django.core.cache import cache
from django.core.paginator import Paginator

from caching import conf

from .caching import recipes_version
from .models import RECIPES_PER_PAGE, Recipe

RECIPE_COUNT_KEY = "recipes:count:{version}"
RECIPE_LIST_KEY = "recipes:list:{version}:page:{number}"


def cached_recipe_list(number):
    """Page `number` of the recipe list, newest first: rows from the database once per version.

    Raises InvalidPage, as Paginator.page() does, for a number that names no page.
    """
    version = recipes_version()
    count = cache.get_or_set(
        RECIPE_COUNT_KEY.format(version=version), Recipe.objects.count, conf.timeout()
    )
    # The count is all a paginator needs to check the number, before it goes into a key.
    page = Paginator(range(count), RECIPES_PER_PAGE).page(number)
    key = RECIPE_LIST_KEY.format(version=version, number=page.number)
    recipes = cache.get(key)
    if recipes is None:
        # A list, not a QuerySet: what is cached is the rows themselves.
        places = page.object_list  # the page's slice of range(count)
        newest_first = Recipe.objects.prefetch_related("ingredients")
        recipes = list(newest_first[places.start : places.stop])
        cache.set(key, recipes, conf.timeout())
    page.object_list = recipes
    return page
