"""System checks of the cache table: `python manage.py check --database default`.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections, router


@register(Tags.caches, Tags.database)
def check_cache_table(app_configs, databases=None, **kwargs):
    """The cache table exists; run by `check --database default` and `migrate`.

    Like Django's own database checks, it runs only when asked to look at a
    database. It is a warning, not an error: the site serves every page without
    the table, only uncached, and `migrate` must run before `createcachetable`.
    """
    tables = {}  # Each (database, table) once: several aliases use the same table.
    for alias, config in settings.CACHES.items():
        if isinstance(caches[alias], DatabaseCache):
            database = router.db_for_read(caches[alias].cache_model_class)
            tables[database, config["LOCATION"]] = None
    warnings = []
    for database, table in tables:
        if database not in (databases or []):
            continue
        connection = connections[database]
        try:
            with connection.cursor() as cursor:
                if table in connection.introspection.table_names(cursor):
                    continue
        except DatabaseError:
            continue  # Django's own checks report a database that does not answer.
        warnings.append(
            Warning(
                f"The cache table {table!r} does not exist in the {database!r} "
                "database: nothing is cached.",
                hint="Run `python manage.py createcachetable`.",
                id="caching.W001",
            )
        )
    return warnings
