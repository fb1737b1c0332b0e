"""What a hit asks of the database cache: the SQL queries on its table."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext


def calls_per_hit(hit, hits):
    table = settings.CACHES["default"]["LOCATION"]
    with CaptureQueriesContext(connection) as captured:
        for _ in range(hits):
            hit()
    return sum(table in query["sql"] for query in captured.captured_queries) / hits
