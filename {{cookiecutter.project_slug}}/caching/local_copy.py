"""A copy, in this process, of cache entries that never change once stored.

An entry stored under a key that carries a version of the data it was built
from never changes: new data means a new version, hence new keys, and the old
entries are simply never asked for again. Such entries may be kept in each
process and served from there without asking the cache server; only the
version itself needs telling.

LocalCopyCache is a cache alias in front of another one (its LOCATION), which
must hold nothing but such entries: its KEY_FUNCTION puts the version in every
key. A hit that this process has read or written before costs no network call.

- The copy is bounded by bytes (OPTIONS["MAX_BYTES"], per process), least
  recently used out first, and never outlives an entry's own timeout: set()
  stores the entry's expiry time with it, for every process that copies it.
- What is copied is the pickled entry; each hit unpickles a fresh object, as a
  cache server would, so a caller may change what it gets (Django's middleware
  does, to the responses it serves).
- add() stores what a single process may take away again (a lock): it is
  never copied, and reading it always asks the shared cache.
- delete() and clear() are seen by this process at once; other processes keep
  their copy, which is fine only because nothing under a versioned key changes.

https://docs.djangoproject.com/en/5.2/topics/cache/#using-a-custom-cache-backend
"""

import os
import pickle
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# What a stored entry costs besides its pickle and its key: dict slot, tuple, ints.
ENTRY_OVERHEAD_BYTES = 200
_MISSING = object()


class Sealed(NamedTuple):
    """What set() stores in the shared cache: the pickled value and when it expires."""

    expires_at: float | None  # time.time() seconds, None for never
    pickled: bytes

    def expired(self):
        return self.expires_at is not None and self.expires_at <= time.time()


class LocalCopy:
    """Pickled entries by full cache key, least recently used first, up to max_bytes."""

    _copies = {}
    _copies_lock = threading.Lock()

    @classmethod
    def of(cls, name, max_bytes):
        """The process's copy for one shared alias (threads share it)."""
        copy = cls._copies.get(name)
        if copy is None or copy.max_bytes != max_bytes:
            with cls._copies_lock:
                copy = cls._copies.get(name)
                if copy is None or copy.max_bytes != max_bytes:
                    copy = cls._copies[name] = cls(max_bytes)
        return copy

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        # Entries never change, so a forked process (a gunicorn worker) may keep
        # them; not a lock that another thread of its parent may have held.
        os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self):
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    def __contains__(self, key):
        return key in self._entries

    def keys(self):
        """The full keys copied, least recently used first."""
        with self._lock:
            return list(self._entries)

    def get(self, key):
        """The Sealed entry under key, or None when not copied or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expired():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self._lock:
            self._drop(key)
            size = self.size(key, entry)
            if size > self.max_bytes:
                return
            self._entries[key] = entry
            self.bytes += size
            while self.bytes > self.max_bytes:
                oldest, dropped = self._entries.popitem(last=False)
                self.bytes -= self.size(oldest, dropped)

    def drop(self, key):
        with self._lock:
            self._drop(key)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def _drop(self, key):
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= self.size(key, entry)

    @staticmethod
    def size(key, entry):
        return len(key) + len(entry.pickled) + ENTRY_OVERHEAD_BYTES


class LocalCopyCache(BaseCache):
    """The cache alias named by LOCATION, with a copy of its entries in this process.

    CACHES = {
        "versioned": {...a shared backend, "KEY_FUNCTION": "...version in every key"},
        "pages": {
            "BACKEND": "caching.local_copy.LocalCopyCache",
            "LOCATION": "versioned",
            "OPTIONS": {"MAX_BYTES": 32 * 1024 * 1024},
        },
    }
    """

    def __init__(self, location, params):
        super().__init__(params)
        self.shared_alias = location
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", DEFAULT_MAX_BYTES))

    @property
    def shared(self):
        return caches[self.shared_alias]

    @property
    def local_copy(self):
        return LocalCopy.of(self.shared_alias, self.max_bytes)

    def get(self, key, default=None, version=None):
        shared = self.shared
        full_key = shared.make_key(key, version)
        entry = self.local_copy.get(full_key)
        if entry is None:
            entry = shared.get(key, _MISSING, version)
            if entry is _MISSING:
                return default
            if not isinstance(entry, Sealed):  # Stored by add(): never copied.
                return entry
            if entry.expired():
                return default
            self.local_copy.put(full_key, entry)
        return pickle.loads(entry.pickled)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        shared = self.shared
        if timeout == DEFAULT_TIMEOUT:
            timeout = shared.default_timeout
        full_key = shared.make_key(key, version)
        if timeout is not None and timeout <= 0:  # Django's meaning: expire at once.
            self.local_copy.drop(full_key)
            shared.delete(key, version)
            return
        expires_at = None if timeout is None else time.time() + timeout
        entry = Sealed(expires_at, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        shared.set(key, entry, timeout, version)
        self.local_copy.put(full_key, entry)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.local_copy.drop(self.shared.make_key(key, version))
        return self.shared.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        # The expiry time travels with the entry: store it again with the new one.
        self.local_copy.drop(self.shared.make_key(key, version))
        entry = self.shared.get(key, _MISSING, version)
        if not isinstance(entry, Sealed):
            return entry is not _MISSING and self.shared.touch(key, timeout, version)
        self.set(key, pickle.loads(entry.pickled), timeout, version)
        return True

    def has_key(self, key, version=None):
        if self.local_copy.get(self.shared.make_key(key, version)) is not None:
            return True
        return self.shared.has_key(key, version)

    def get_many(self, keys, version=None):
        found = {}
        for key in keys:
            value = self.get(key, _MISSING, version)
            if value is not _MISSING:
                found[key] = value
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key, value in data.items():
            self.set(key, value, timeout, version)
        return []

    def delete(self, key, version=None):
        self.local_copy.drop(self.shared.make_key(key, version))
        return self.shared.delete(key, version)

    def delete_many(self, keys, version=None):
        for key in keys:
            self.delete(key, version)

    def clear(self):
        self.local_copy.clear()
        self.shared.clear()

    def close(self, **kwargs):
        """Django closes every cache alias after each request, the shared one included."""
