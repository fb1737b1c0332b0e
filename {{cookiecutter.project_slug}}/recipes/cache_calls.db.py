"""What a hit asks of the database cache: the SQL queries on its table.

Counted by a database execute wrapper, as each query runs:
https://docs.djangoproject.com/en/5.2/topics/db/instrumentation/
"""

from django.conf import settings
from django.db import connection


def calls_per_hit(hit, hits):
    table = settings.CACHES["default"]["LOCATION"]
    on_table = 0

    def count(execute, sql, params, many, context):
        nonlocal on_table
        on_table += table in sql
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for _ in range(hits):
            hit()
    return on_table / hits
