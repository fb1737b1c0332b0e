"""System checks of MEMCACHED_SERVERS: `python manage.py check` names each bad server.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

import re

from django.conf import settings
from django.core.checks import Error, Tags, register

# host:port, [IPv6]:port, or a unix socket path.
MEMCACHED_SERVER = re.compile(r"^(?:(?:\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/]+):(\d{1,5})|(?:unix:)?/\S+)$")


@register(Tags.caches)
def check_memcached_servers(app_configs, **kwargs):
    """Each memcached server is host:port; pymemcache fails on anything else, late."""
    servers = {}  # Each server once: several aliases use the same servers.
    for config in settings.CACHES.values():
        if config["BACKEND"].endswith("PyMemcacheCache"):
            location = config["LOCATION"]
            split = re.split("[;,]", location) if isinstance(location, str) else location
            servers.update(dict.fromkeys(split or [""]))
    return [
        Error(
            f"memcached server {server!r} is not host:port.",
            hint="Set MEMCACHED_SERVERS to a comma-separated list of host:port, "
            "e.g. 127.0.0.1:11211,10.0.0.2:11211.",
            id="caching.E003",
        )
        for server in servers
        if not is_server(str(server))
    ]


def is_server(server):
    match = MEMCACHED_SERVER.match(server)
    return match is not None and 0 < int(match.group(1) or 1) < 65536
