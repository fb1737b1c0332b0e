"""The cache table the suite runs against: how to break it."""

# A hit served from this process's copy reads the recipes version alone from the table.
CALLS_PER_HIT = 1


def cache_server_problem():
    """None: the cache is a table of the database, whose server the suite checks anyway."""
    return None


def unreachable_location(tmp_path):
    """A table that does not exist, as before `createcachetable`."""
    return f"missing_cache_{tmp_path.name}"
