"""REDIS_URL=redis+sentinel://...: how the URL reads (caching/redis_sentinel.py).

Failing over for real, with a primary, a replica and three sentinels, is proved by
the template's own tests (tests/test_sentinel.py in the template).
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import MasterNotFoundError, Sentinel

from caching.redis_sentinel import SentinelURL, parse_sentinel_url, redis_cache_location

PASSWORD = "pa/ss:w@rd,%"
SECRET = quote(PASSWORD, safe="")


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        (
            "redis+sentinel://sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/mymaster/1",
            SentinelURL(
                [("sentinel-1", 26379), ("sentinel-2", 26379), ("sentinel-3", 26379)],
                "mymaster",
                1,
                None,
            ),
        ),
        (
            f"redis+sentinel://:{SECRET}@10.0.0.1:26379,10.0.0.2:26380/cache/2",
            SentinelURL([("10.0.0.1", 26379), ("10.0.0.2", 26380)], "cache", 2, PASSWORD),
        ),
        (
            f"redis+sentinel://site:{SECRET}@[::1]:26379/cache/0",
            SentinelURL([("::1", 26379)], "cache", 0, PASSWORD, "site"),
        ),
        # What the redis-sentinel-url package also reads: the sentinels' port and the
        # database number may be left out.
        (
            "redis+sentinel://sentinel-1/mymaster",
            SentinelURL([("sentinel-1", 26379)], "mymaster", 0, None),
        ),
    ],
)
def test_a_sentinel_url_reads_as_sentinels_service_db_and_password(url, parsed):
    assert parse_sentinel_url(url) == parsed


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis://127.0.0.1:6379/1", "does not start with redis+sentinel://"),
        ("redis+sentinel://sentinel-1:26379", "names no service"),
        ("redis+sentinel://sentinel-1:26379/", "names no service"),
        ("redis+sentinel://sentinel-1:port/mymaster/1", "'sentinel-1:port' is not host:port"),
        ("redis+sentinel://sentinel-1:99999/mymaster/1", "'sentinel-1:99999' is not host:port"),
        ("redis+sentinel://sentinel-1:26379,/mymaster/1", "'' is not host:port"),
        ("redis+sentinel://sentinel-1:26379/mymaster/one", "database"),
        ("redis+sentinel://sentinel-1:26379/mymaster/1/2", "database"),
        ("redis+sentinel://sentinel-1:26379/MyMaster/1", "service name 'MyMaster'"),
        ("redis+sentinel://sentinel-1:26379/mymaster/1?db=2", "options"),
        (f"redis+sentinel://{SECRET}@sentinel-1:26379/mymaster/1", "colon"),
        ("redis+sentinel://:pa/ss@sentinel-1:26379/mymaster/1", "percent-encoded"),
    ],
)
def test_a_malformed_sentinel_url_says_what_is_wrong(url, problem):
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        parse_sentinel_url(url)
    assert "pa/ss" not in str(error.value) and SECRET not in str(error.value)


def test_the_cache_goes_through_django_redis_sentinel_support():
    location, options = redis_cache_location(
        f"redis+sentinel://:{SECRET}@sentinel-1:26379,sentinel-2:26379/mymaster/1", 0.5, 1.5
    )
    # The host name of the location is the service; every call goes to its primary.
    assert location == ["redis://mymaster/1"]
    assert options == {
        "CLIENT_CLASS": "django_redis.client.SentinelClient",
        "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
        "SENTINELS": [("sentinel-1", 26379), ("sentinel-2", 26379)],
        # The sentinels are asked without a password, once each, within the timeouts.
        "SENTINEL_KWARGS": {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 1.5,
            "retry": Retry(NoBackoff(), 0),
        },
        # The Redis servers' password.
        "PASSWORD": PASSWORD,
    }


def test_a_malformed_sentinel_url_is_left_for_manage_py_check():
    url = "redis+sentinel://sentinel-1:26379"
    assert redis_cache_location(url, 0.25, 0.25) == ([url], {})


def test_a_broken_sentinel_is_asked_once_before_the_next():
    """redis-py's default would try it ten more times, for about 3.5 s in all."""
    connections = []
    with socket.create_server(("127.0.0.1", 0)) as broken:

        def hang_up_on_each():
            while len(connections) < 20:
                try:
                    connection, _ = broken.accept()
                except OSError:
                    return
                connections.append(connection)
                connection.close()

        threading.Thread(target=hang_up_on_each, daemon=True).start()
        url = f"redis+sentinel://127.0.0.1:{broken.getsockname()[1]}/mymaster/1"
        _, options = redis_cache_location(url, 2.0, 2.0)
        sentinel = Sentinel(options["SENTINELS"], sentinel_kwargs=options["SENTINEL_KWARGS"])
        with pytest.raises(MasterNotFoundError):
            sentinel.discover_master("mymaster")
    assert len(connections) == 1


def test_the_settings_read_a_sentinel_url_from_the_environment():
    """The whole URL, commas and all, not split into several servers."""
    url = f"redis+sentinel://:{SECRET}@sentinel-1:26379,sentinel-2:26379/mymaster/1"
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({alias: [cache['LOCATION'], cache['OPTIONS']] "
        "for alias, cache in settings.CACHES.items()}, default=repr))"
    )
    env = {**os.environ, "REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    aliases = json.loads(result.stdout)
    aliases.pop("pages", None)  # The local copy in front of shared_pages (caching/local_copy.py).
    for alias, (location, options) in aliases.items():
        assert location == ["redis://mymaster/1"], alias
        assert options["CLIENT_CLASS"] == "django_redis.client.SentinelClient", alias
        assert options["SENTINELS"] == [["sentinel-1", 26379], ["sentinel-2", 26379]], alias
        assert options["PASSWORD"] == PASSWORD, alias
