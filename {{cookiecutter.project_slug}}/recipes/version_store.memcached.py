"""Where the recipes version is kept: in memcached, read on a connection kept open.

Every page hit reads the version. Django's memcached backend disconnects after
each request, so each read would first connect again; KeptOpen's cache object
is never closed by Django (caching/memcached_cache.py). Written the same way,
so reads and writes agree on which server holds it while one of several fails.
"""

from django.core.cache import caches
from django.dispatch import receiver

from caching.health import cache_works_again
from caching.memcached_cache import KeptOpen

RECIPES_VERSION_KEY = "recipes:version"
version_cache = KeptOpen(caches, "default")


def read_version():
    return version_cache().get(RECIPES_VERSION_KEY)


def store_version(version):
    """Store a new version, or raise what kept it from being stored."""
    version_cache().set_or_raise(RECIPES_VERSION_KEY, version, timeout=None)
    # Django's set() deletes a value memcached did not store, and says nothing.
    if read_version() != version:
        raise OSError("it read back as another value")


def drop_version():
    """Delete the version, so every process misses until a new one is stored; False if not."""
    try:
        version_cache().delete_or_raise(RECIPES_VERSION_KEY)
    except version_cache().errors:
        return False
    return True


@receiver(cache_works_again)
def forget_dead_servers(**kwargs):
    # Before recipes/caching.py replaces the version (its receiver is connected
    # after this one): the kept client may still hold the server as dead
    # (dead_timeout), so a new one is built.
    version_cache.reset()
