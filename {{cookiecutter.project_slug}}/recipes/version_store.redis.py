"""Where the recipes version is kept: in Redis, which tells every process of a new one.

Each process knows the version without asking Redis while it can be sure it
heard of every change, and reads it from Redis otherwise (caching/redis_push.py).
"""

import secrets

from django.core.cache import caches
from django.dispatch import receiver
from django_redis import get_redis_connection

from caching.health import cache_works_again
from caching.redis_push import PushedValue

RECIPES_VERSION_KEY = "recipes:version"
# With replicas in REDIS_URL, reads go to a replica, which may lag behind the
# write that replaced the version. Every other entry's key carries the version,
# so this is the one read that must come from the primary ("primary" in
# config/settings.py): a lagging replica then costs misses, never an old page.
VERSION_CACHE = "primary"


pushed_version = PushedValue(
    key=lambda: caches[VERSION_CACHE].make_key(RECIPES_VERSION_KEY),
    read=lambda: caches[VERSION_CACHE].get(RECIPES_VERSION_KEY),
    connect=lambda: get_redis_connection(VERSION_CACHE),
    # Not while requests here see Redis failing: once it answers again, the
    # version is replaced (replace_after_outage, below).
    trusted=lambda: get_redis_connection(VERSION_CACHE).health.down_since is None,
)


def read_version():
    return pushed_version.get() or pushed_version.read()


def store_version(version):
    caches[VERSION_CACHE].set(RECIPES_VERSION_KEY, version, timeout=None)
    pushed_version.changed()


@receiver(cache_works_again)
def replace_after_outage(**kwargs):
    # A write made while Redis failed could not replace the version, and a server
    # that was only out of reach still holds the entries from before it.
    store_version(secrets.token_hex(8))
