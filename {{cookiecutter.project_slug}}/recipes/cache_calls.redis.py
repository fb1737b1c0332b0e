"""What a hit asks of Redis: the commands the server answered, counted by the server.

Counts every client's commands: run cachebench while nothing else uses the server.
"""

import time

from django_redis import get_redis_connection
from redis import Redis

# What the server answers whatever the traffic: INFO is this count, PING the
# check of the listener that is told the recipes version (caching/redis_push.py).
NOT_TRAFFIC = {"cmdstat_info", "cmdstat_ping"}


def server_calls(counter):
    """Commands the Redis server has answered so far, from every client."""
    stats = counter.info("commandstats")
    return sum(stat["calls"] for name, stat in stats.items() if name not in NOT_TRAFFIC)


def calls_per_hit(hit, hits):
    told_the_version()
    # Both counts on one connection, opened first: a connection the count opened
    # between them would add its own HELLO and SELECT, which no hit asked for.
    pool = get_redis_connection("default").connection_pool
    with Redis(connection_pool=pool, single_connection_client=True) as counter:
        before = server_calls(counter)
        for _ in range(hits):
            hit()
        return (server_calls(counter) - before) / hits


def told_the_version():
    """Wait until this process is told the recipes version, as each soon is (redis_push.py)."""
    try:
        from recipes.caching import RECIPES
    except ImportError:  # No caching level: no recipes version (recipes/caching.py).
        return
    deadline = time.monotonic() + 5
    while RECIPES.current() and RECIPES.store.pushed.get() is None:  # The first read starts it.
        if time.monotonic() > deadline:
            raise RuntimeError("this process was never told the recipes version")
        time.sleep(0.01)
