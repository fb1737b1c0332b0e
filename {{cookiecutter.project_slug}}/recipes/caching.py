{%- set d = derived(cookiecutter) -%}
"""How the recipes app's cache entries go stale: the recipes version, and its invalidation.

Everything cached from recipe data carries the *recipes version* in its key: a
random token kept in the cache (recipes/version_store.py) and replaced after
every committed write to a recipe or an ingredient. Replacing it makes every
older entry unreachable at once, in every process that shares the cache,
without hunting down keys or flushing the server; old entries expire on their own.
"""

import logging
import secrets
import threading

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

{% if d.front_cache -%}
from caching import front_cache
{% endif -%}
{% if d.shared -%}
from caching.health import cache_works_again
{% endif -%}
from caching.requests import remember, remembered

from .models import Ingredient, Recipe
from .version_store import RECIPES_VERSION_KEY, drop_version, read_version, store_version

logger = logging.getLogger(__name__)
# Set while this process could not store a new version after an edit: until a
# version is stored, its requests miss, and each tries again.
version_unstored = threading.Event()
unstored_lock = threading.Lock()


def recipes_version():
    """The token that changes after every write to recipes or ingredients, read once a request."""
{%- if d.front_cache %}
    front_cache.shows("recipes")  # The page being built shows recipes: Varnish tags it.
{%- endif %}
    return remembered(RECIPES_VERSION_KEY, stored_or_new_version)


def stored_or_new_version():
    if version_unstored.is_set():
        return new_version()
    version = read_version()
    if version is None:
        # First use, evicted, or dropped after an edit: any new token is safe, as
        # no entry carries it yet.
        cache.add(RECIPES_VERSION_KEY, secrets.token_hex(8), timeout=None)
        # Still None when the cache fails or is full: a fresh token means a miss.
        version = read_version() or secrets.token_hex(8)
    return version


def invalidate_recipe_caches():
    """Make every cached page, fragment and list of recipes stale, everywhere.

    Runs by itself after a recipe or an ingredient is saved or deleted. Writes
    that send no signals (QuerySet.update(), bulk_create(), bulk_update(), raw
    SQL) must call it themselves, after they commit.
    """
    remember(RECIPES_VERSION_KEY, new_version())
{%- if d.front_cache %}
    # Then Varnish drops every page that shows recipes (at most 0.5 s per Varnish).
    front_cache.ban("recipes")
{%- endif %}


def new_version():
    """Store a new version, and return it; if it cannot be stored, never serve the old one.

    The old version is deleted instead, which a full cache still allows: every
    process then misses until a version is stored. This one misses anyway, and
    tries to store a new version on each request until that works.
    """
    version = secrets.token_hex(8)
    try:
        store_version(version)
    except Exception as error:  # Whatever failed, the old version must go.
        dropped = drop_version()
        with unstored_lock:
            first = not version_unstored.is_set()
            version_unstored.set()
        if first:  # One line per episode, however many requests try again.
            logger.error(
                "The recipes changed, but the cache did not store the new recipes version "
                "(%s): %s until it does.",
                str(getattr(error, "__cause__", None) or error).strip() or type(error).__name__,
                "every process builds its pages without the cache"
                if dropped
                else "the old version could not be deleted either, so other processes may "
                "serve pages from before the change",
            )
        return secrets.token_hex(8)
    with unstored_lock:
        ended = version_unstored.is_set()
        version_unstored.clear()
    if ended:
        logger.warning("The cache stored a new recipes version: pages are cached again.")
    return version


@receiver([post_save, post_delete], sender=Recipe)
@receiver([post_save, post_delete], sender=Ingredient)
def invalidate_after_commit(sender, using, **kwargs):
    # After commit: a rolled-back write leaves the cache alone, and no reader can
    # cache the old rows under the new version.
    transaction.on_commit(invalidate_recipe_caches, using=using)
{%- if d.shared %}


@receiver(cache_works_again)
def replace_after_outage(**kwargs):
    # A write made while the cache failed could not replace the version, and a
    # server that was only out of reach still holds the entries from before it.
    new_version()
{%- endif %}
{%- if d.versioned %}


def page_cache_key(key, key_prefix, version):
    """KEY_FUNCTION of the "pages" cache: pages, their header entries and fragments, versioned.

    What is stored under such a key never changes, so each process may keep a
    copy of it (caching/local_copy.py).
    """
    return f"{key_prefix}:{version}:{recipes_version()}:{key}"
{%- endif %}
