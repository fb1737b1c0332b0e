{%- set page_cache = cookiecutter.cache_per_site or cookiecutter.cache_per_view -%}
{%- set read_ahead = page_cache and cookiecutter.cache_backend in ["redis", "memcached", "db"] -%}
"""How the recipes app caches: its keys, timeouts and invalidation, in one place.

Everything cached from recipe data carries the *recipes version* in its key: a
random token kept in the cache under RECIPES_VERSION_KEY and replaced after every
committed write to a recipe or an ingredient. Replacing it makes every older
entry unreachable at once, in every process that shares the cache, without
hunting down keys or flushing the server; old entries expire on their own.
"""

import secrets
from contextvars import ContextVar
{%- if cookiecutter.cache_per_view %}
from functools import wraps
{%- endif %}

{% if cookiecutter.cache_per_view or cookiecutter.cache_low_level -%}
from django.conf import settings
{% endif -%}
from django.core.cache import cache
{%- if cookiecutter.cache_backend == "redis" %}, caches{% endif %}
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
{%- if page_cache %}
from django.utils.cache import add_never_cache_headers
{%- endif %}
{%- if cookiecutter.cache_per_view %}
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_cookie
{%- endif %}

{%- if cookiecutter.cache_backend != "locmem" %}

from caching.health import cache_works_again
{%- endif %}

from .models import Ingredient, Recipe

RECIPES_VERSION_KEY = "recipes:version"
{%- if cookiecutter.cache_low_level %}
RECIPE_LIST_KEY = "recipes:list:{version}"
{%- endif %}

# The version read once per request, so a page costs one extra cache read at most.
_version_this_request = ContextVar("recipes_version_this_request", default=None)


{% if cookiecutter.cache_backend == "redis" -%}
def stored_version():
    """The recipes version as the Redis primary holds it, or None.

    With replicas in REDIS_URL, reads go to a replica, which may lag behind the
    write that replaced the version. Every other entry's key carries the
    version, so this is the one read that must come from the primary: a lagging
    replica then costs cache misses, never an old page.
    """
    return caches["primary"].get(RECIPES_VERSION_KEY)
{%- else -%}
def stored_version():
    """The recipes version as the cache holds it, or None."""
    return cache.get(RECIPES_VERSION_KEY)
{%- endif %}


def recipes_version():
    """The token that changes after every write to recipes or ingredients."""
    memo = _version_this_request.get()
    if memo:
        return memo[0]
    version = stored_version()
    if version is None:
        # First use, or evicted: any new token is safe, as no entry carries it yet.
        cache.add(RECIPES_VERSION_KEY, secrets.token_hex(8), timeout=None)
        # Still None when the cache server is down: a fresh token means a miss.
        version = stored_version() or secrets.token_hex(8)
    if memo is not None:
        memo.append(version)
    return version
{%- if read_ahead %}


def known_recipes_version():
    """The recipes version if this request has read it already, else None."""
    memo = _version_this_request.get()
    return memo[0] if memo else None


def remember_recipes_version(version):
    """Keep the version the pages cache read for this request (recipes/pages.py)."""
    memo = _version_this_request.get()
    if memo is not None and not memo:
        memo.append(version)
{%- endif %}


def invalidate_recipe_caches():
    """Make every cached page, fragment and list of recipes stale, everywhere.

    Runs by itself after a recipe or an ingredient is saved or deleted. Writes
    that send no signals (QuerySet.update(), bulk_create(), bulk_update(), raw
    SQL) must call it themselves, after they commit.
    """
    version = secrets.token_hex(8)
    cache.set(RECIPES_VERSION_KEY, version, timeout=None)
    memo = _version_this_request.get()
    if memo is not None:
        memo[:] = [version]


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


@receiver(request_started)
def _start_request_memo(**kwargs):
    _version_this_request.set([])


@receiver(request_finished)
def _end_request_memo(**kwargs):
    _version_this_request.set(None)
{%- if page_cache %}


def never_cache_for_signed_in(request, response):
    """Mark a signed-in visitor's page private, so no shared cache stores it.

    Pages carry the visitor's name and CSRF token. Django's page caches skip
    responses marked private or no-store, so only anonymous pages are shared.
    """
    if request.user.is_authenticated:
        add_never_cache_headers(response)
    return response
{%- endif %}
{%- if cookiecutter.cache_per_site %}


class NeverCacheForSignedInMiddleware:
    """Per-site caching for anonymous visitors only; sits inside the cache middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return never_cache_for_signed_in(request, self.get_response(request))
{%- endif %}
{%- if cookiecutter.cache_per_view %}


def cache_page_for_anonymous(view):
    """cache_page for anonymous visitors, safe for pages that show who is signed in.

    cache_page stores the response before the session and CSRF middleware add
    "Vary: Cookie", so on its own it would serve one visitor's page to another.
    vary_on_cookie adds the header in time, and signed-in visitors' pages are
    never stored at all.
    """

    @wraps(view)
    def view_for_anonymous(request, *args, **kwargs):
        return never_cache_for_signed_in(request, view(request, *args, **kwargs))

    return cache_page(settings.CACHE_TIMEOUT, cache="pages")(vary_on_cookie(view_for_anonymous))
{%- endif %}
{%- if cookiecutter.cache_low_level %}


def cached_recipe_list():
    """Every recipe with its ingredients, from the database once per recipes version."""
    key = RECIPE_LIST_KEY.format(version=recipes_version())
    recipes = cache.get(key)
    if recipes is None:
        # A list, not a QuerySet: what is cached is the rows themselves.
        recipes = list(Recipe.objects.prefetch_related("ingredients"))
        cache.set(key, recipes, settings.CACHE_TIMEOUT)
    return recipes
{%- endif %}
