"""The database cache backend, where a missing table is a cache miss."""

import contextlib

from django.core.cache.backends import db
from django.db import DatabaseError, connections, router, transaction

from .health import CacheHealth
from .miss_on_error import MissOnError


class MissOnErrorDatabaseCache(MissOnError, db.DatabaseCache):
    """Django's database cache, where a missing table or a failed query is a miss.

    Without this, a missing table (`manage.py createcachetable` makes it) would
    turn every page into an error page with a database traceback. Only
    DatabaseError counts as the cache failing; anything else raises as in Django's.

    https://docs.djangoproject.com/en/5.2/topics/cache/#database-caching
    """

    errors = (DatabaseError,)

    def __init__(self, table, params):
        super().__init__(table, params)
        self.table = table
        self.health = CacheHealth.of(f"the cache table {table!r}")

    def call(self, method, *args):
        connection = connections[router.db_for_write(self.cache_model_class)]
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            return method(*args)
        # On PostgreSQL a failed query aborts the transaction around it: there,
        # the cache's queries get a savepoint of their own.
        with transaction.atomic(using=connection.alias):
            return method(*args)

    def hint(self):
        connection = connections[router.db_for_read(self.cache_model_class)]
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            if self.table not in connection.introspection.table_names(cursor):
                return "It does not exist: run `python manage.py createcachetable`."
        return ""
