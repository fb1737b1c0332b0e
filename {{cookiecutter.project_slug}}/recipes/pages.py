{%- set backend = cookiecutter.cache_backend -%}
{%- set read_ahead = backend in ["redis", "memcached", "db"] -%}
"""The "pages" cache: where the per-site and per-view caches keep whole pages.

Django's cache middleware and cache_page store two entries per page: the page,
and a "header" entry listing the request headers the page varies on (Cookie,
here). Our page keys also carry the recipes version (recipes/caching.py), so
that one write makes every cached page stale at once.
{%- if read_ahead %}

A hit therefore needs three reads: the recipes version and the header entry,
both needed to work out the page's key, then the page. Each is a round trip to
the {% if backend == "db" %}database{% else %}cache server{% endif %}, one after the other. This backend makes them one: when Django
reads a header entry, it also reads the recipes version and the page this
process found under that header entry last time, with the version it had then,
in a single get_many. Django's middleware then works out the page key as usual,
and gets the page from that read only if the key is exactly the one read: same
URL, same Vary headers, same recipes version. Anything else (a new visitor's
cookie, a write since) is read for real. Nothing read ahead outlives the request.
{%- endif %}

https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache
"""
{% if read_ahead %}
from contextvars import ContextVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
{% if backend == "redis" %}from django_redis.cache import RedisCache
{% elif backend == "memcached" %}
from caching.memcached_cache import PyMemcacheCache
{% elif backend == "db" %}
from caching.db_cache import DatabaseCache
{% endif %}
from .caching import (
    RECIPES_VERSION_KEY,
    known_recipes_version,
    recipes_version,
    remember_recipes_version,
)
{%- else %}
from .caching import recipes_version
{%- endif %}

# How Django's cache middleware names its two kinds of entries (django/utils/cache.py).
PAGE_KEY_START = "views.decorators.cache.cache_page."
{%- if read_ahead %}
HEADER_KEY_START = "views.decorators.cache.cache_header."
{%- endif %}


def page_cache_key(key, key_prefix, version):
    """KEY_FUNCTION of the "pages" cache: Django's usual key, plus the recipes version on pages.

    Header entries depend on the code alone (which headers a page varies on), so
    they keep Django's usual key.
    """
{%- if read_ahead %}
    if isinstance(key, MadeKey):
        return key
{%- endif %}
    if key.startswith(PAGE_KEY_START):
        return f"{key_prefix}:{version}:{recipes_version()}:{key}"
    return f"{key_prefix}:{version}:{key}"
{%- if read_ahead %}


class MadeKey(str):
    """A key that page_cache_key has already made: used as it is."""


class ReadsThisRequest:
    """What the pages cache read in one request, and the last header entry it used."""

    def __init__(self):
        self.values = {}  # made key -> value, None for a miss
        self.header_key = None


_reads = ContextVar("pages_reads_this_request", default=None)


@receiver(request_started)
def _start_request(**kwargs):
    _reads.set(ReadsThisRequest())


@receiver(request_finished)
def _end_request(**kwargs):
    _reads.set(None)


class ReadAhead:
    """Reads the page with its header entry and the recipes version: one round trip per hit."""

    # Header entries remembered per process; past this many, it starts again.
    MAX_REMEMBERED = 10_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Header entry -> the made key (recipes version included) of the page Django asked
        # for after it, the last time that page was found or stored. Visitors who never get
        # a cached page (signed in) do not count.
        self._page_after = {}
{%- if backend == "redis" %}
        # With replicas, reads go to a replica, which may lag behind a write that replaced the
        # recipes version: the version is then read from the primary on its own.
        self._version_in_same_read = len(self._server) == 1
{%- endif %}

    def get(self, key, default=None, version=None):
        reads = _reads.get()
        if reads is None:  # Outside a request: nothing to read ahead for.
            return super().get(key, default, version)
        made = MadeKey(self.make_key(key, version))
        if made in reads.values:
            value = reads.values[made]
        elif key.startswith(HEADER_KEY_START):
            value = self._read_ahead(made, key, reads)
        else:
            value = super().get(made)
        if key.startswith(HEADER_KEY_START):
            reads.header_key = key
        elif value is not None:
            self._remember_page(key, made, reads)
        return default if value is None else value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        result = super().set(key, value, timeout, version)
        reads = _reads.get()
        if reads is not None:
            reads.values.clear()  # What was read ahead may be out of date now.
            if key.startswith(HEADER_KEY_START):
                reads.header_key = key
            else:
                self._remember_page(key, MadeKey(self.make_key(key, version)), reads)
        return result

    def _read_ahead(self, made_header_key, header_key, reads):
        keys = [made_header_key]
        version_key = None
        if known_recipes_version() is None{% if backend == "redis" %} and self._version_in_same_read{% endif %}:
            version_key = MadeKey(self.make_key(RECIPES_VERSION_KEY))
            keys.append(version_key)
        if header_key in self._page_after:
            keys.append(self._page_after[header_key])
        found = super().get_many(keys)
        reads.values.update((key, found.get(key)) for key in keys)
        if found.get(version_key) is not None:
            remember_recipes_version(found[version_key])
        return found.get(made_header_key)

    def _remember_page(self, key, made, reads):
        if not key.startswith(PAGE_KEY_START) or reads.header_key is None:
            return
        if len(self._page_after) >= self.MAX_REMEMBERED:
            self._page_after.clear()
        self._page_after[reads.header_key] = made
{%- if backend == "redis" %}


class PagesCache(ReadAhead, RedisCache):
    """django-redis, reading a cached page in one round trip."""
{%- elif backend == "memcached" %}


class PagesCache(ReadAhead, PyMemcacheCache):
    """Django's pymemcache backend (caching/), reading a page in one round trip."""
{%- elif backend == "db" %}


class PagesCache(ReadAhead, DatabaseCache):
    """Django's database cache (caching/), reading a cached page in one query."""
{%- endif %}
{%- endif %}
