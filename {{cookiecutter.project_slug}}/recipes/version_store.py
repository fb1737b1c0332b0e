"""Where the recipes version is kept: in the cache, which every process reads."""

from django.core.cache import cache

RECIPES_VERSION_KEY = "recipes:version"


def read_version():
    return cache.get(RECIPES_VERSION_KEY)


def store_version(version):
    """Store a new version, or raise what kept it from being stored."""
    cache.set_or_raise(RECIPES_VERSION_KEY, version, timeout=None)
    if cache.get(RECIPES_VERSION_KEY) != version:
        raise OSError("it read back as another value")


def drop_version():
    """Delete the version, so every process misses until a new one is stored; False if not."""
    try:
        cache.delete_or_raise(RECIPES_VERSION_KEY)
    except cache.errors:
        return False
    return True
