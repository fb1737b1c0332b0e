"""Where the recipes version is kept: in this process's local-memory cache."""

from django.core.cache import cache

RECIPES_VERSION_KEY = "recipes:version"


def read_version():
    return cache.get(RECIPES_VERSION_KEY)


def store_version(version):
    cache.set(RECIPES_VERSION_KEY, version, timeout=None)


def drop_version():
    cache.delete(RECIPES_VERSION_KEY)
    return True
