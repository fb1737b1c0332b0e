"""What a hit asks of Redis: the commands the server answered, counted by the server.

Counts every client's commands: run cachebench while nothing else uses the server.
"""

from django_redis import get_redis_connection

# What the server answers whatever the traffic: INFO is this count, PING the
# check of the listener that is told the recipes version (caching/redis_push.py).
NOT_TRAFFIC = {"cmdstat_info", "cmdstat_ping"}


def server_calls():
    """Commands the Redis server has answered so far, from every client."""
    stats = get_redis_connection("default").info("commandstats")
    return sum(stat["calls"] for name, stat in stats.items() if name not in NOT_TRAFFIC)


def calls_per_hit(hit, hits):
    before = server_calls()
    for _ in range(hits):
        hit()
    return (server_calls() - before) / hits
