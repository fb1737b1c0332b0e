"""The cache table the suite runs against: how to break it and count its reads."""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

# A hit served from this process's copy reads the recipes version alone from the table.
CALLS_PER_HIT = 1


def cache_server_problem():
    """None: the cache is a table of the database, whose server the suite checks anyway."""
    return None


def unreachable_location(tmp_path):
    """A table that does not exist, as before `createcachetable`."""
    return f"missing_cache_{tmp_path.name}"


@contextmanager
def calls_to_the_cache():
    """The queries on the cache table inside the block."""
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    calls = []
    with CaptureQueriesContext(connection) as captured:
        yield calls
    calls.extend(query["sql"] for query in captured.captured_queries if table in query["sql"])
