{%- set d = derived(cookiecutter) -%}
"""How the recipes app's cache entries go stale: the recipes version, and its invalidation.

Everything cached from recipe data carries the *recipes version* in its key: a
random token kept in the cache (recipes/version_store.py) and replaced after
every committed write to a recipe or an ingredient. Replacing it makes every
older entry unreachable at once, in every process that shares the cache,
without hunting down keys or flushing the server; old entries expire on their own.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

{% if d.front_cache -%}
from caching import front_cache
{% endif -%}
from caching.requests import remember, remembered

from .models import Ingredient, Recipe
from .version_store import RECIPES_VERSION_KEY, read_version, store_version


def recipes_version():
    """The token that changes after every write to recipes or ingredients, read once a request."""
{%- if d.front_cache %}
    front_cache.shows("recipes")  # The page being built shows recipes: Varnish tags it.
{%- endif %}
    return remembered(RECIPES_VERSION_KEY, stored_or_new_version)


def stored_or_new_version():
    version = read_version()
    if version is None:
        # First use, or evicted: any new token is safe, as no entry carries it yet.
        cache.add(RECIPES_VERSION_KEY, secrets.token_hex(8), timeout=None)
        # Still None when the cache server is down: a fresh token means a miss.
        version = read_version() or secrets.token_hex(8)
    return version


def invalidate_recipe_caches():
    """Make every cached page, fragment and list of recipes stale, everywhere.

    Runs by itself after a recipe or an ingredient is saved or deleted. Writes
    that send no signals (QuerySet.update(), bulk_create(), bulk_update(), raw
    SQL) must call it themselves, after they commit.
    """
    version = secrets.token_hex(8)
    store_version(version)
    remember(RECIPES_VERSION_KEY, version)
{%- if d.front_cache %}
    # Then Varnish drops every page that shows recipes (at most 0.5 s per Varnish).
    front_cache.ban("recipes")
{%- endif %}


@receiver([post_save, post_delete], sender=Recipe)
@receiver([post_save, post_delete], sender=Ingredient)
def invalidate_after_commit(sender, using, **kwargs):
    # After commit: a rolled-back write leaves the cache alone, and no reader can
    # cache the old rows under the new version.
    transaction.on_commit(invalidate_recipe_caches, using=using)
{%- if d.versioned %}


def page_cache_key(key, key_prefix, version):
    """KEY_FUNCTION of the "pages" cache: pages, their header entries and fragments, versioned.

    What is stored under such a key never changes, so each process may keep a
    copy of it (caching/local_copy.py).
    """
    return f"{key_prefix}:{version}:{recipes_version()}:{key}"
{%- endif %}
