"""Where a version is kept: in memcached, read on a connection kept open (caching/versions.py).

Every page hit reads the version. Django's memcached backend disconnects after
each request, so each read would first connect again; KeptOpen's cache object
is never closed by Django (caching/memcached_cache.py). Written the same way,
so reads and writes agree on which server holds it while one of several fails.
"""

from django.core.cache import caches
from django.dispatch import receiver

from .health import cache_works_again
from .memcached_cache import KeptOpen

version_cache = KeptOpen(caches, "default")


class VersionStore:
    """The token under one key of the default cache, on the kept connection."""

    def __init__(self, key):
        self.key = key

    def read(self):
        return version_cache().get(self.key)

    def store(self, version):
        """Store a new version, or raise what kept it from being stored."""
        version_cache().set_or_raise(self.key, version, timeout=None)
        # Django's set() deletes a value memcached did not store, and says nothing.
        if self.read() != version:
            raise OSError("it read back as another value")

    def drop(self):
        """Delete the version, so every process misses until a new one is stored; False if not."""
        try:
            version_cache().delete_or_raise(self.key)
        except version_cache().errors:
            return False
        return True


@receiver(cache_works_again)
def forget_dead_servers(**kwargs):
    # Before each Version replaces its token (caching/versions.py connects its
    # receivers later, as this module is imported first): the kept client may
    # still hold the server as dead (dead_timeout), so a new one is built.
    version_cache.reset()
