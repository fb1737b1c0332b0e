"""The memcached servers the suite runs against: how to reach and break them."""

from django.conf import settings
from pymemcache.client.base import Client
from pymemcache.exceptions import MemcacheError

# A hit served from this process's copy asks memcached for the recipes version alone.
CALLS_PER_HIT = 1


def servers():
    """(address, client) for each memcached server in the settings; close the clients."""
    for server in settings.CACHES["default"]["LOCATION"]:
        host, port = server.rsplit(":", 1)
        yield server, Client((host, int(port)), connect_timeout=1, timeout=1)


def cache_server_problem():
    """A line naming a memcached server that cannot be reached, or None."""
    for server, client in servers():
        try:
            client.version()
        except (OSError, MemcacheError):
            return (
                f"memcached is not reachable at {server}: start it (see README) "
                "or set MEMCACHED_SERVERS"
            )
        finally:
            client.close()
    return None


def unreachable_location(tmp_path):
    """A socket no server listens on, as when the server is down."""
    return [f"unix:{tmp_path / 'memcached.sock'}"]
