"""Whether each cache works, as this process last saw it: logged once per outage.

A cache call that fails is a cache miss: the page is built from the database, as
if nothing were cached. Each process logs a warning when a cache fails, and a
note when it works again, and sends cache_works_again then.
"""

import logging
import threading
import time

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent when a cache that failed works again. Writes made in between could not
# reach it, so what it held from before may be out of date.
cache_works_again = Signal()


class CacheHealth:
    """One per server or store, shared by its aliases: an outage is reported once."""

    _instances = {}
    _instances_lock = threading.Lock()

    @classmethod
    def of(cls, name, **kwargs):
        health = cls._instances.get(name)
        if health is None:
            with cls._instances_lock:
                health = cls._instances.setdefault(name, cls(name, **kwargs))
        return health

    def __init__(self, name):
        self.name = name
        self.down_since = None
        self._lock = threading.Lock()

    def works(self):
        """False from a failure until a call works: writes in between may not have reached it."""
        return self.down_since is None

    def failed(self, error, hint=None):
        """Note a failure; the first of an outage is logged, with hint() if given."""
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.warning(
            "Cache unavailable: %s (%s). Pages are built without it until it works again.%s",
            self.name,
            getattr(error, "strerror", None) or str(error) or type(error).__name__,
            f" {hint()}" if hint else "",
        )

    def worked(self):
        """Note a call that worked; True if it ended an outage."""
        if self.down_since is None:  # Without the lock: every cache call that works asks.
            return False
        with self._lock:
            if self.down_since is None:
                return False
            seconds, self.down_since = time.monotonic() - self.down_since, None
        logger.info("Cache available again: %s, after %.0f s.", self.name, seconds)
        cache_works_again.send(sender=type(self), name=self.name)
        return True
