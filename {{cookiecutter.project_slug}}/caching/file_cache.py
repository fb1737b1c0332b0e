"""The file cache backend, where a directory it cannot write is a cache miss."""

import os

from django.core.cache.backends import filebased
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from .health import CacheHealth
from .miss_on_error import MissOnError


class MissOnErrorFileBasedCache(MissOnError, filebased.FileBasedCache):
    """Django's file cache, where a directory it cannot write is a cache miss.

    Only OSError (a directory missing, not writable, full) counts as the cache
    failing; anything else, such as a value that cannot be pickled, raises as in
    Django's.

    https://docs.djangoproject.com/en/5.2/topics/cache/#filesystem-caching
    """

    errors = (OSError,)

    def __init__(self, directory, params):
        self.health = CacheHealth.of(f"the cache directory {os.path.abspath(directory)!r}")
        try:
            # Django creates the directory here, and again before each write.
            super().__init__(directory, params)
        except OSError as error:
            self.health.failed(error, self.hint)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's add() is has_key() then set(), and set() here never raises:
        # whether the value was stored, the health says.
        return super().add(key, value, timeout, version) and self.health.works()

    def hint(self):
        return "Make it writable by the user running the site, or set CACHE_DIR."
