"""Where the recipes version is kept: in Redis, which tells every process of a new one.

Each process knows the version without asking Redis while it can be sure it
heard of every change, and reads it from Redis otherwise (caching/redis_push.py).
"""

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.exceptions import ConnectionInterrupted

from caching.redis_cache import BackAfterOutage
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
    # version is replaced (replace_after_outage in recipes/caching.py).
    trusted=lambda: get_redis_connection(VERSION_CACHE).health.down_since is None,
)


def read_version():
    return pushed_version.get() or pushed_version.read()


def store_version(version):
    """Store a new version and tell every process, or raise what kept it from being stored."""
    try:
        raising(VERSION_CACHE).set(RECIPES_VERSION_KEY, version, timeout=None)
    except ConnectionInterrupted as error:
        if not isinstance(error.__cause__, BackAfterOutage):  # Then the write was made.
            raise
    pushed_version.changed()


def drop_version():
    """Delete the version, so every process misses until a new one is stored; False if not.

    A full Redis (OOM) still deletes; a replica promoted away (READONLY) does not.
    """
    try:
        raising(VERSION_CACHE).delete(RECIPES_VERSION_KEY)
    except ConnectionInterrupted:
        return False
    finally:
        # This process too forgets the old version it knew without asking.
        pushed_version.changed()
    return True


def raising(alias):
    """The cache's django-redis client, which raises what failed: ConnectionInterrupted from it.

    django-redis's cache methods turn every error into a miss (IGNORE_EXCEPTIONS),
    a full Redis's OOM too, and set() then returns None; they call this client
    (django-redis 7.0, pinned in requirements.txt; tests/test_redis_push.py).
    """
    return caches[alias].client
