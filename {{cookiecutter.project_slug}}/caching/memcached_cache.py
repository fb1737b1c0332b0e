"""Memcached through Django's pymemcache backend, where a server that fails is a miss.

https://docs.djangoproject.com/en/5.2/topics/cache/#memcached
"""

import hashlib
import os
import threading
from functools import partial

from django.core.cache.backends import memcached
from pymemcache.client.rendezvous import RendezvousHash
from pymemcache.exceptions import (
    MemcacheError,
    MemcacheServerError,
    MemcacheUnexpectedCloseError,
)

from .health import CacheHealth
from .miss_on_error import MissOnError


class AllServersDown(MemcacheError):
    """pymemcache found no server of the pool left to ask."""


class OutOfMemory(MemcacheError):
    """The server is full and may not evict (memcached -M): it stores nothing more."""


class PyMemcacheCache(MissOnError, memcached.PyMemcacheCache):
    """Django's pymemcache backend, where a server that fails is a cache miss.

    The one difference from Django's: when a server refuses the connection,
    drops it, or does not answer within the timeouts (and when no server of the
    pool is left), the call is a miss, logged once per outage of each server,
    instead of an exception; and the first read after an outage is a miss, as
    it may be older than the writes that failed. A store that a full server
    refuses (run with -M, it evicts nothing) is a miss too, not an outage.
    Anything else raises as in Django's: a value that cannot be pickled, a
    value too large for memcached, incr() of a value that is not a number.
    pymemcache's own ignore_exc would hide those too, so it stays off.

    Several servers share the keys (rendezvous hashing, on blake2b below). A
    server that fails leaves the pool for dead_timeout seconds, its keys going
    to the others (config/settings.py).
    """

    errors = (OSError, MemcacheUnexpectedCloseError, AllServersDown, OutOfMemory)
    # Every call goes to a server, or raises (retry_attempts 0 in config/settings.py):
    # the first call that works after an outage, often a read, says the server is back.
    reads_prove_it_works = True

    def __init__(self, server, params):
        # The hasher routes each key to a server, so it knows which server a call
        # went to, and pymemcache tells it when a server fails (remove_node).
        self.server = None
        hasher = partial(BlakeRendezvousHash, on_choice=self._server_chosen)
        options = {"hasher": hasher, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    def _server_chosen(self, server):
        self.server = server

    def call(self, method, *args):
        try:
            return method(*args)
        except MemcacheError as error:
            # pymemcache 4.0 raises a bare MemcacheError when every server of the
            # pool failed ("All servers seem to be down right now"); its
            # subclasses are the server's answers to a bad request.
            if type(error) is MemcacheError:
                raise AllServersDown(str(error)) from error
            # "SERVER_ERROR out of memory storing object", from a server run with -M
            # (MemcacheUnexpectedCloseError, a subclass, carries no words).
            words = error.args[0] if error.args else b""
            full = isinstance(words, bytes) and b"out of memory" in words
            if isinstance(error, MemcacheServerError) and full:
                raise OutOfMemory(words.decode(errors="replace").strip()) from error
            raise

    def cache_failed(self, error):
        # Each server was reported when it failed; a full one still answers.
        if not isinstance(error, (AllServersDown, OutOfMemory)):
            CacheHealth.of(f"memcached at {self.server}").failed(error)

    def cache_worked(self):
        if self.server is None:  # No key was routed yet: no server was asked.
            return False
        return CacheHealth.of(f"memcached at {self.server}").worked()


class KeptOpen:
    """A cache alias whose connections stay open from one request to the next.

    Django closes every cache alias when a request finishes, and its pymemcache
    backend disconnects then, as Django's own tests require of it: the next
    request connects again, a TCP handshake for what may be one small read.
    KeptOpen(caches, alias)() is, like caches[alias], a cache object of this
    thread's own, built the same way (caches.create_connection), but one that
    Django does not close: its connections last as long as the thread, or until
    the CACHES setting changes (as the tests do), when it is built anew.

    caches.create_connection() and caches.settings have no underscore but are not
    in Django's docs: tested on Django 5.2 (pinned in requirements.txt) by
    tests/test_memcached_cache.py, which fails if either changes.
    """

    def __init__(self, caches, alias):
        self.caches = caches
        self.alias = alias
        self.reset()
        # A forked process (a gunicorn worker) connects anew, never on its parent's sockets.
        os.register_at_fork(after_in_child=self.reset)

    def reset(self):
        """Build anew on next use: a new client holds no server as dead since an outage."""
        self._threads = threading.local()

    def __call__(self):
        mine = self._threads
        settings = self.caches.settings
        if getattr(mine, "settings", None) is not settings:
            if getattr(mine, "cache", None) is not None:
                mine.cache.close()
            mine.cache, mine.settings = self.caches.create_connection(self.alias), settings
        return mine.cache


class BlakeRendezvousHash(RendezvousHash):
    """pymemcache's rendezvous hashing, on blake2b instead of its own murmur3.

    pymemcache's murmur3 is written in Python: about 40 µs a key, on every cache
    call. blake2b runs in C, in about a microsecond. With a single server there
    is nothing to choose, so nothing is hashed. Every process of a release
    hashes alike; a new release never reads an older one's keys anyway
    (KEY_PREFIX in config/settings.py).

    on_choice(server) hears of the server each key goes to, and of the server
    pymemcache takes out of the pool when a call to it fails.
    """

    def __init__(self, nodes=None, seed=0, on_choice=None):
        self.on_choice = on_choice or (lambda server: None)
        super().__init__(nodes, seed, hash_function=blake2b_32)

    def get_node(self, key):
        node = self.nodes[0] if len(self.nodes) == 1 else super().get_node(key)
        self.on_choice(node)
        return node

    def remove_node(self, node):
        super().remove_node(node)
        self.on_choice(node)


def blake2b_32(value, seed=0):
    digest = hashlib.blake2b(value.encode(), digest_size=4, salt=seed.to_bytes(16, "big"))
    return int.from_bytes(digest.digest(), "big")
