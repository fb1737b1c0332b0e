"""Where a version is kept: in this process's local-memory cache (caching/versions.py)."""

from django.core.cache import cache


class VersionStore:
    """The token under one key of the default cache."""

    def __init__(self, key):
        self.key = key

    def read(self):
        return cache.get(self.key)

    def store(self, version):
        cache.set(self.key, version, timeout=None)

    def drop(self):
        cache.delete(self.key)
        return True
