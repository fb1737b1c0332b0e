"""Django's createcachetable, saying what it did for each table once.

Several caches may share one table (the "pages" cache uses the default one's).
Django's command goes through the caches one by one and, on a fresh database,
creates the table for the first without a word, then says "already exists" for
the next: the one line a new user sees is wrong. This one handles each table
once and names the caches that use it:
`Cache table 'django_cache' created (caches: default, pages).`
https://docs.djangoproject.com/en/5.2/howto/custom-management-commands/#overriding-commands
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management.commands import createcachetable
from django.db import connections


class Command(createcachetable.Command):
    def handle(self, *tablenames, **options):
        if tablenames:  # Tables named on the command line: Django's own way.
            return super().handle(*tablenames, **options)
        self.verbosity = options["verbosity"]
        database, dry_run = options["database"], options["dry_run"]
        for table, aliases in self.cache_tables().items():
            used_by = f"(caches: {', '.join(aliases)})"
            if self.table_exists(database, table):
                self.report(f"Cache table '{table}' already exists {used_by}.")
            elif dry_run:
                self.create_table(database, table, dry_run=True)  # Prints the SQL.
            else:
                self.create_quietly(database, table)
                # The database router may keep the table off this database.
                if self.table_exists(database, table):
                    self.report(f"Cache table '{table}' created {used_by}.")

    def cache_tables(self):
        """{table: [cache aliases]} for every database cache in CACHES."""
        tables = {}
        for alias, config in settings.CACHES.items():
            if isinstance(caches[alias], BaseDatabaseCache):
                tables.setdefault(config["LOCATION"], []).append(alias)
        return tables

    def table_exists(self, database, table):
        return table in connections[database].introspection.table_names()

    def create_quietly(self, database, table):
        """Django's create_table, without its own line: handle() reports."""
        verbosity, self.verbosity = self.verbosity, 0
        try:
            self.create_table(database, table, dry_run=False)
        finally:
            self.verbosity = verbosity

    def report(self, message):
        if self.verbosity:
            self.stdout.write(message)
