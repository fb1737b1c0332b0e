"""How the recipes app caches: its keys, timeouts and invalidation, in one place.

Everything cached from recipe data carries the *recipes version* in its key: a
random token kept in the cache under RECIPES_VERSION_KEY and replaced after every
committed write to a recipe or an ingredient. Replacing it makes every older
entry unreachable at once, in every process that shares the cache, without
hunting down keys or flushing the server; old entries expire on their own.
{%- if cookiecutter.cache_backend == "redis" %}

Each process knows the current version without asking Redis: every write
publishes the change, and each process's listener reads the version again
(caching/redis_push.py). While a process cannot be sure it heard of every
change, it reads the version on every request, as without the push.
{%- endif %}
"""

import secrets

{% if cookiecutter.cache_low_level -%}
from django.conf import settings
{% endif -%}
from django.core.cache import cache, caches
{%- if cookiecutter.cache_low_level %}
from django.core.paginator import Paginator
{%- endif %}
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
{%- if cookiecutter.cache_backend == "redis" %}
from django_redis import get_redis_connection
{%- endif %}

{% if cookiecutter.cache_backend != "locmem" -%}
from caching.health import cache_works_again
{% endif -%}
{% if cookiecutter.cache_backend == "redis" -%}
from caching.redis_push import PushedValue
{% endif -%}
from caching.requests import remember, remembered

{% if cookiecutter.cache_low_level -%}
from .models import RECIPES_PER_PAGE, Ingredient, Recipe
{% else -%}
from .models import Ingredient, Recipe
{% endif %}
RECIPES_VERSION_KEY = "recipes:version"
{%- if cookiecutter.cache_low_level %}
RECIPE_COUNT_KEY = "recipes:count:{version}"
RECIPE_LIST_KEY = "recipes:list:{version}:page:{number}"
{%- endif %}
{%- if cookiecutter.cache_backend == "redis" %}
# With replicas in REDIS_URL, reads go to a replica, which may lag behind the
# write that replaced the version. Every other entry's key carries the version,
# so this is the one read that must come from the primary ("primary" in
# config/settings.py): a lagging replica then costs misses, never an old page.
VERSION_CACHE = "primary"
{%- else %}
VERSION_CACHE = "default"
{%- endif %}
{%- if cookiecutter.cache_backend == "redis" %}

# Every process keeps the version, told of each change by Redis.
pushed_version = PushedValue(
    key=lambda: caches[VERSION_CACHE].make_key(RECIPES_VERSION_KEY),
    read=lambda: caches[VERSION_CACHE].get(RECIPES_VERSION_KEY),
    connect=lambda: get_redis_connection(VERSION_CACHE),
    # Not while requests here see Redis failing: once it answers again, the
    # outage's end invalidates what it held (invalidate_after_outage, below).
    trusted=lambda: get_redis_connection(VERSION_CACHE).health.down_since is None,
)


def recipes_version():
    """The token that changes after every write to recipes or ingredients.

    One per request (caching/requests.py): pushed to this process by Redis, or
    read from the cache when this process cannot be sure it knows the latest.
    """
    return remembered(RECIPES_VERSION_KEY, lambda: pushed_version.get() or stored_or_new_version())
{%- else %}


def recipes_version():
    """The token that changes after every write to recipes or ingredients.

    Read from the cache once per request (caching/requests.py).
    """
    return remembered(RECIPES_VERSION_KEY, stored_or_new_version)
{%- endif %}


def stored_or_new_version():
    version = caches[VERSION_CACHE].get(RECIPES_VERSION_KEY)
    if version is None:
        # First use, or evicted: any new token is safe, as no entry carries it yet.
        cache.add(RECIPES_VERSION_KEY, secrets.token_hex(8), timeout=None)
        # Still None when the cache server is down: a fresh token means a miss.
        version = caches[VERSION_CACHE].get(RECIPES_VERSION_KEY) or secrets.token_hex(8)
    return version


def invalidate_recipe_caches():
    """Make every cached page, fragment and list of recipes stale, everywhere.

    Runs by itself after a recipe or an ingredient is saved or deleted. Writes
    that send no signals (QuerySet.update(), bulk_create(), bulk_update(), raw
    SQL) must call it themselves, after they commit.
    """
    version = secrets.token_hex(8)
    cache.set(RECIPES_VERSION_KEY, version, timeout=None)
    remember(RECIPES_VERSION_KEY, version)
{%- if cookiecutter.cache_backend == "redis" %}
    pushed_version.changed()
{%- endif %}


@receiver([post_save, post_delete], sender=Recipe)
@receiver([post_save, post_delete], sender=Ingredient)
def invalidate_after_commit(sender, using, **kwargs):
    # After commit: a rolled-back write leaves the cache alone, and no reader can
    # cache the old rows under the new version.
    transaction.on_commit(invalidate_recipe_caches, using=using)
{%- if cookiecutter.cache_backend != "locmem" %}


@receiver(cache_works_again)
def invalidate_after_outage(**kwargs):
    # A write made while the cache failed could not replace the version, and a
    # server that was only out of reach still holds the entries from before it.
    invalidate_recipe_caches()
{%- endif %}
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment %}


def page_cache_key(key, key_prefix, version):
    """KEY_FUNCTION of the "pages" cache: pages, their header entries and fragments, versioned.

    What is stored under such a key never changes, so each process may keep a
    copy of it (caching/local_copy.py).
    """
    return f"{key_prefix}:{version}:{recipes_version()}:{key}"
{%- endif %}
{%- if cookiecutter.cache_low_level %}


def cached_recipe_list(number):
    """Page `number` of the recipe list, newest first: rows from the database once per version.

    Raises InvalidPage, as Paginator.page() does, for a number that names no page.
    """
    version = recipes_version()
    count = cache.get_or_set(
        RECIPE_COUNT_KEY.format(version=version), Recipe.objects.count, settings.CACHE_TIMEOUT
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
        cache.set(key, recipes, settings.CACHE_TIMEOUT)
    page.object_list = recipes
    return page
{%- endif %}
