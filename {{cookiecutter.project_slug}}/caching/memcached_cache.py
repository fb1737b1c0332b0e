"""Memcached through Django's pymemcache backend, where a server that fails is a miss.

https://docs.djangoproject.com/en/5.2/topics/cache/#memcached
"""

import hashlib

from django.core.cache.backends import memcached
from pymemcache.client.base import normalize_server_spec
from pymemcache.client.rendezvous import RendezvousHash
from pymemcache.exceptions import MemcacheError, MemcacheUnexpectedCloseError

from .health import CacheHealth, MissOnError


class AllServersDown(MemcacheError):
    """pymemcache found no server of the pool left to ask."""


class PyMemcacheCache(MissOnError, memcached.PyMemcacheCache):
    """Django's pymemcache backend, where a server that fails is a cache miss.

    The one difference from Django's: when a server refuses the connection,
    drops it, or does not answer within the timeouts (and when no server of the
    pool is left), the call is a miss, logged once per outage, instead of an
    exception. Anything else raises as in Django's: a value that cannot be
    pickled, a value too large for memcached, incr() of a value that is not a
    number. pymemcache's own ignore_exc would hide those too, so it stays off.

    Several servers share the keys (rendezvous hashing, on blake2b below). A
    server that fails leaves the pool for dead_timeout seconds, its keys going
    to the others (config/settings.py). The pool is reported as one cache.
    """

    errors = (OSError, MemcacheUnexpectedCloseError, AllServersDown)
    # Every call goes to a server, or raises: the first that works after an outage,
    # often the read of the recipes version, says the server is back.
    reads_prove_it_works = True

    def __init__(self, server, params):
        options = {"hasher": BlakeRendezvousHash, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        servers = [server_name(spec) for spec in self.client_servers]
        self.health = CacheHealth.of(f"memcached at {', '.join(servers)}")

    def call(self, method, *args):
        try:
            return method(*args)
        except MemcacheError as error:
            # pymemcache 4.0 raises a bare MemcacheError when every server of the
            # pool failed ("All servers seem to be down right now"); its
            # subclasses are the server's answers to a bad request.
            if type(error) is MemcacheError:
                raise AllServersDown(str(error)) from error
            raise


class BlakeRendezvousHash(RendezvousHash):
    """pymemcache's rendezvous hashing, on blake2b instead of its own murmur3.

    pymemcache's murmur3 is written in Python: about 40 µs a key, on every cache
    call. blake2b runs in C, in about a microsecond. With a single server there
    is nothing to choose, so nothing is hashed. Every process of a release
    hashes alike; a new release never reads an older one's keys anyway
    (KEY_PREFIX in config/settings.py).
    """

    def __init__(self, nodes=None, seed=0):
        super().__init__(nodes, seed, hash_function=blake2b_32)

    def get_node(self, key):
        if len(self.nodes) == 1:
            return self.nodes[0]
        return super().get_node(key)


def blake2b_32(value, seed=0):
    digest = hashlib.blake2b(value.encode(), digest_size=4, salt=seed.to_bytes(16, "big"))
    return int.from_bytes(digest.digest(), "big")


def server_name(spec):
    """A server as pymemcache names it: 127.0.0.1:11211, or a socket's path."""
    server = normalize_server_spec(spec)
    return ":".join(map(str, server)) if isinstance(server, tuple) else server
