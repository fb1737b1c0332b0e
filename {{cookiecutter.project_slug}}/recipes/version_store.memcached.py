"""Where the recipes version is kept: in memcached, read on a connection kept open.

Every page hit reads the version. Django's memcached backend disconnects after
each request, so each read would first connect again; KeptOpen's cache object
is never closed by Django (caching/memcached_cache.py). Written the same way,
so reads and writes agree on which server holds it while one of several fails.
"""

import secrets

from django.core.cache import caches
from django.dispatch import receiver

from caching.health import cache_works_again
from caching.memcached_cache import KeptOpen

RECIPES_VERSION_KEY = "recipes:version"
version_cache = KeptOpen(caches, "default")


def read_version():
    return version_cache().get(RECIPES_VERSION_KEY)


def store_version(version):
    version_cache().set(RECIPES_VERSION_KEY, version, timeout=None)


@receiver(cache_works_again)
def replace_after_outage(**kwargs):
    # A write made while the cache failed could not replace the version, and a
    # server that was only out of reach still holds the entries from before it.
    # The kept client may still hold the server as dead (dead_timeout): a new one.
    version_cache.reset()
    store_version(secrets.token_hex(8))
