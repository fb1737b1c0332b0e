"""Where the recipes version is kept: in the cache, which every process reads."""

import secrets

from django.core.cache import cache
from django.dispatch import receiver

from caching.health import cache_works_again

RECIPES_VERSION_KEY = "recipes:version"


def read_version():
    return cache.get(RECIPES_VERSION_KEY)


def store_version(version):
    cache.set(RECIPES_VERSION_KEY, version, timeout=None)


@receiver(cache_works_again)
def replace_after_outage(**kwargs):
    # A write made while the cache failed could not replace the version, and a
    # server that was only out of reach still holds the entries from before it.
    store_version(secrets.token_hex(8))
