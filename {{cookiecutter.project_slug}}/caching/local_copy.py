"""A copy, in this process, of cache entries that never change once stored.

An entry stored under a key that carries the version of the data it was built
from never changes: new data means a new version, hence new keys, and the old
entries are simply never asked for again. So each process may keep such entries
and serve them without asking the cache server; only the version needs telling.

LocalCopyCache is a cache alias in front of the one its LOCATION names, which
must hold nothing but such entries: its KEY_FUNCTION puts the version in every key.

- The copy is bounded by bytes (OPTIONS["MAX_BYTES"], per process), least
  recently used out first. Each entry carries its expiry time, for every
  process that copies it.
- What is copied is the pickle: each hit unpickles an object of its own, as a
  cache server would (Django's middleware changes the responses it serves).
- add() stores what one process may take away again (a lock): never copied.
- delete() and clear() are seen by this process at once; other processes keep
  their copy, which is fine only because nothing under a versioned key changes.

https://docs.djangoproject.com/en/5.2/topics/cache/#using-a-custom-cache-backend
"""

import pickle
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

# What an entry costs besides its key and its pickle: dict slot, tuple, float.
ENTRY_OVERHEAD_BYTES = 200
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL
# This process's copy of each alias, by alias and size: Django makes a cache object
# per thread, and the objects of all threads share one copy.
_copies = {}
_copies_lock = threading.Lock()


class Sealed(NamedTuple):
    """What set() stores in the shared cache."""

    expires_at: float | None  # time.time() seconds, None for never
    pickled: bytes

    def expired(self):
        return self.expires_at is not None and self.expires_at <= time.time()


class LocalCopy(OrderedDict):
    """Sealed entries by full key, least recently used first, up to max_bytes in all."""

    def __init__(self, max_bytes):
        super().__init__()
        self.max_bytes = max_bytes
        self.bytes = 0
        self.lock = threading.RLock()

    def get(self, key):
        """The entry under key, or None when it is not copied or has expired."""
        with self.lock:
            entry = super().get(key)
            if entry is None or entry.expired():
                self.drop(key)
                return None
            self.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.drop(key)
            if entry.expired() or size(key, entry) > self.max_bytes:
                return
            self[key] = entry
            self.bytes += size(key, entry)
            while self.bytes > self.max_bytes:
                self.bytes -= size(*self.popitem(last=False))

    def drop(self, key):
        with self.lock:
            entry = self.pop(key, None)
            if entry is not None:
                self.bytes -= size(key, entry)

    def clear(self):
        with self.lock:
            super().clear()
            self.bytes = 0


def size(key, entry):
    return len(key) + len(entry.pickled) + ENTRY_OVERHEAD_BYTES


class LocalCopyCache(BaseCache):
    """A cache alias in front of the one its LOCATION names, with a copy in this process.

    Its TIMEOUT, KEY_PREFIX, VERSION and KEY_FUNCTION are the wrapped alias's: it
    makes no key of its own. It keeps Django's cache API, as Django's own cache
    tests show (the template's tests/test_contracts.py), but where the copy is the
    point: an entry this process has copied is served from the copy, so it does
    not see what happened to that entry elsewhere, until the entry expires or
    leaves the copy. Each is pinned by a test of tests/test_local_copy.py:

    - a delete, or a new value, through another alias or process (Django's tests
      that delete or incr through the "v2" alias, or set through another one):
      test_a_change_made_elsewhere_is_not_seen_by_the_copy;
    - an entry the store dropped to make room (culled, evicted):
      test_an_entry_the_store_dropped_is_still_served_from_the_copy.
    """

    def __init__(self, location, params):
        super().__init__(params)
        self.shared = caches[location]
        # Keys and timeouts are the wrapped alias's: BaseCache's incr_version()
        # and the rest must find an entry under the version it was stored with.
        self.default_timeout = self.shared.default_timeout
        self.key_prefix = self.shared.key_prefix
        self.version = self.shared.version
        self.key_func = self.shared.key_func
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        with _copies_lock:
            key = (location, self.max_bytes)
            self.local_copy = _copies.setdefault(key, LocalCopy(self.max_bytes))

    def get(self, key, default=None, version=None):
        return self.get_many([key], version).get(key, default)

    def get_many(self, keys, version=None):
        full_keys = {key: self.shared.make_key(key, version) for key in keys}
        found, missing = {}, []
        for key, full_key in full_keys.items():
            entry = self.local_copy.get(full_key)
            if entry is None:
                missing.append(key)
            else:
                found[key] = pickle.loads(entry.pickled)
        for key, entry in self.shared.get_many(missing, version).items() if missing else ():
            if not isinstance(entry, Sealed):  # Stored by add().
                found[key] = entry
            elif not entry.expired():
                self.local_copy.put(full_keys[key], entry)
                found[key] = pickle.loads(entry.pickled)
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        full_key, entry = self.shared.make_key(key, version), self.sealed(value, timeout)
        # Out of the copy first: a store that fails must not leave the old one.
        self.local_copy.drop(full_key)
        self.shared.set(key, entry, timeout, version)
        self.local_copy.put(full_key, entry)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        entries = {key: self.sealed(value, timeout) for key, value in data.items()}
        full_keys = {key: self.shared.make_key(key, version) for key in entries}
        for full_key in full_keys.values():
            self.local_copy.drop(full_key)
        failed = self.shared.set_many(entries, timeout, version) or []  # django-redis: None
        for key, entry in entries.items():
            if key not in failed:
                self.local_copy.put(full_keys[key], entry)
        return failed

    def sealed(self, value, timeout):
        return Sealed(self.get_backend_timeout(timeout), pickle.dumps(value, PICKLE_PROTOCOL))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.local_copy.drop(self.shared.make_key(key, version))
        return self.shared.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        # The expiry time travels with the entry: store it again with the new one.
        entry = self.shared.get(key, version=version)
        if not isinstance(entry, Sealed):
            return self.shared.touch(key, timeout, version)
        self.set(key, pickle.loads(entry.pickled), timeout, version)
        return True

    def delete(self, key, version=None):
        self.local_copy.drop(self.shared.make_key(key, version))
        return self.shared.delete(key, version)

    def delete_many(self, keys, version=None):
        for key in keys:
            self.local_copy.drop(self.shared.make_key(key, version))
        self.shared.delete_many(keys, version)

    def clear(self):
        self.local_copy.clear()
        self.shared.clear()
