"""Where a version is kept: in the cache, which every process reads (caching/versions.py)."""

from django.core.cache import cache


class VersionStore:
    """The token under one key of the default cache."""

    def __init__(self, key):
        self.key = key

    def read(self):
        return cache.get(self.key)

    def store(self, version):
        """Store a new version, or raise what kept it from being stored."""
        cache.set_or_raise(self.key, version, timeout=None)
        if cache.get(self.key) != version:
            raise OSError("it read back as another value")

    def drop(self):
        """Delete the version, so every process misses until a new one is stored; False if not."""
        try:
            cache.delete_or_raise(self.key)
        except cache.errors:
            return False
        return True
