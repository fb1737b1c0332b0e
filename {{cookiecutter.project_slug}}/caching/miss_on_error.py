"""A cache that fails is a miss: the mixin for Django's cache backends that says so."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT


class MissOnError:
    """Cache methods where a failure of the cache itself is a miss, and is reported.

    A subclass of a Django cache backend sets `errors`, the exceptions that mean
    the cache failed (it is down, unreachable, missing), and `health`, the
    CacheHealth that cache_failed() and cache_worked() report to. Any other
    exception, such as a value that cannot be pickled, is raised as the stock
    backend raises it.
    """

    errors = ()
    # Whether a read that works proves the cache works again, or only a write: a
    # missing file reads as a miss, without an error, whether its directory works or not.
    reads_prove_it_works = False

    def get(self, key, default=None, version=None):
        return self._or_miss(super().get, default, key, default, version, is_read=True)

    def get_many(self, keys, version=None):
        return self._or_miss(super().get_many, {}, keys, version, is_read=True)

    def has_key(self, key, version=None):
        return self._or_miss(super().has_key, False, key, version, is_read=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or_miss(super().set, None, key, value, timeout, version, proves_it_works=True)

    def set_or_raise(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """set() for a value that must not be lost: raises what failed, instead of a miss.

        Django's set() returns None whether it stored the value or not, so the
        caller reads the value back to be sure (memcached's drops a value it
        could not store). The caller says what failed: the health is not told.
        """
        self.call(super().set, key, value, timeout, version)

    def delete_or_raise(self, key, version=None):
        """delete() that raises what failed, instead of a miss; the health is not told."""
        return self.call(super().delete, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_miss(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_miss(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_miss(super().touch, False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._counted(super().incr, key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._counted(super().decr, key, delta, version)

    def delete(self, key, version=None):
        return self._or_miss(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        self._or_miss(super().delete_many, None, keys, version)

    def clear(self):
        self._or_miss(super().clear, None)

    def _or_miss(self, method, miss, *args, proves_it_works=False, is_read=False):
        try:
            result = self.call(method, *args)
        except self.errors as error:
            self.cache_failed(error)
            return miss
        came_back = (proves_it_works or self.reads_prove_it_works) and self.cache_worked()
        if came_back and is_read:
            # The first read after an outage may find what the cache held before it,
            # older than the writes that could not reach it: a miss, to be safe.
            return miss
        return result

    def cache_failed(self, error):
        self.health.failed(error, self.hint)

    def cache_worked(self):
        """Report a call that worked; True if it ended an outage."""
        return self.health.worked()

    def _counted(self, method, key, delta, version):
        # A miss means the key is not there, which incr() and decr() raise as ValueError.
        result = self._or_miss(method, None, key, delta, version)
        if result is None:
            raise ValueError(f"Key {key!r} not found: the cache is unavailable.")
        return result

    def call(self, method, *args):
        return method(*args)

    def hint(self):
        """What to do about it, for the log."""
        return ""
