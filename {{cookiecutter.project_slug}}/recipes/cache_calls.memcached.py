"""What a hit asks of memcached: the commands the servers answered, counted by the servers.

Counts every client's commands: run cachebench while nothing else uses the servers.
"""

from django.conf import settings
from pymemcache.client.base import Client

COMMANDS = (b"cmd_get", b"cmd_set", b"cmd_touch", b"delete_hits", b"delete_misses")


def server_calls():
    """Commands the memcached servers have answered so far, from every client."""
    total = 0
    for server in settings.CACHES["default"]["LOCATION"]:
        host, port = server.rsplit(":", 1)
        client = Client((host, int(port)))
        try:
            stats = client.stats()
        finally:
            client.close()
        total += sum(int(stats[name]) for name in COMMANDS)
    return total


def calls_per_hit(hit, hits):
    before = server_calls()
    for _ in range(hits):
        hit()
    return (server_calls() - before) / hits
