"""The cache in use is the backend that was chosen, and it really holds entries."""

import shutil
{%- if cookiecutter.cache_backend == "memcached" %}
from collections import Counter
{%- endif %}
{%- if cookiecutter.cache_backend == "file" %}
from pathlib import Path
{%- endif %}

{% if cookiecutter.cache_backend in ["db", "memcached"] -%}
import pytest
{% endif -%}
from django.core.cache import cache, caches
{%- if cookiecutter.cache_backend == "db" %}
from django.db import connection
{%- elif cookiecutter.cache_backend == "memcached" %}
from pymemcache.client.base import Client
{%- elif cookiecutter.cache_backend == "redis" %}
from django_redis import get_redis_connection
{%- endif %}

{% if cookiecutter.cache_backend == "memcached" -%}
from config.cache_backends import BlakeRendezvousHash
{% endif -%}
from config.code_version import code_version
{% if cookiecutter.cache_backend == "locmem" %}
EXPECTED_BACKEND = "django.core.cache.backends.locmem.LocMemCache"
{%- elif cookiecutter.cache_backend == "redis" %}
EXPECTED_BACKEND = "django_redis.cache.RedisCache"
{%- elif cookiecutter.cache_backend == "memcached" %}
EXPECTED_BACKEND = "config.cache_backends.PyMemcacheCache"
{%- elif cookiecutter.cache_backend == "db" %}
EXPECTED_BACKEND = "config.cache_backends.DatabaseCache"
{%- elif cookiecutter.cache_backend == "file" %}
EXPECTED_BACKEND = "config.cache_backends.FileBasedCache"
{%- endif %}


def test_the_chosen_backend_is_in_use():
    backend = type(caches["default"])
    assert f"{backend.__module__}.{backend.__qualname__}" == EXPECTED_BACKEND


{% if cookiecutter.cache_backend == "locmem" -%}
def test_an_entry_lands_in_local_memory():
    cache.set("probe", "hello")
    key = cache.make_and_validate_key("probe")
    assert key in cache._cache
    assert cache.get("probe") == "hello"
{%- elif cookiecutter.cache_backend == "redis" -%}
def test_an_entry_lands_on_the_redis_server():
    cache.set("probe", "hello")
    primary = get_redis_connection("default", write=True)
    assert primary.exists(cache.make_and_validate_key("probe")) == 1
    assert cache.get("probe") == "hello"
{%- elif cookiecutter.cache_backend == "memcached" -%}
def test_an_entry_lands_on_one_of_the_memcached_servers(settings):
    cache.set("probe", "hello")
    key = cache.make_and_validate_key("probe")
    servers = [server.rsplit(":", 1) for server in settings.CACHES["default"]["LOCATION"]]
    holding = [server for server in servers if Client((server[0], int(server[1]))).get(key)]
    assert len(holding) == 1
    assert cache.get("probe") == "hello"


def test_keys_spread_evenly_over_servers():
    servers = [f"10.0.0.{number}:11211" for number in range(3)]
    hasher = BlakeRendezvousHash(list(servers))
    counts = Counter(hasher.get_node(f"key-{number}") for number in range(3000))
    assert set(counts) == set(servers)
    assert all(800 < count < 1200 for count in counts.values()), counts
    # The same key goes to the same server in every process.
    assert BlakeRendezvousHash(list(servers)).get_node("key-1") == hasher.get_node("key-1")


@pytest.mark.django_db
def test_requests_keep_their_connections_to_memcached(client, settings):
    """Django would close them after each request: a new TCP connection per request."""
    host, port = settings.CACHES["default"]["LOCATION"][0].rsplit(":", 1)
    server = Client((host, int(port)))

    def connections_so_far():
        return server.stats()[b"total_connections"]

    client.get("/healthz")
    before = connections_so_far()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert connections_so_far() == before
{%- elif cookiecutter.cache_backend == "db" -%}
@pytest.mark.django_db
def test_an_entry_lands_in_the_cache_table(settings):
    cache.set("probe", "hello")
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        key = cache.make_and_validate_key("probe")
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE cache_key = %s", [key])
        assert cursor.fetchone()[0] == 1
    assert cache.get("probe") == "hello"
{%- elif cookiecutter.cache_backend == "file" -%}
def test_an_entry_lands_in_the_cache_directory(settings):
    directory = Path(settings.CACHES["default"]["LOCATION"])
    cache.set("probe", "hello")
    assert cache._key_to_file("probe") in {str(path) for path in directory.glob("*.djcache")}
    assert cache.get("probe") == "hello"
{%- endif %}


def test_keys_carry_the_code_version(settings, tmp_path):
    """A new release never unpickles what an older one stored."""
    expected = f"{{ cookiecutter.project_slug }}.{code_version(settings.BASE_DIR)}"
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith(expected)
    for folder in ("config", "recipes", "templates"):
        shutil.copytree(settings.BASE_DIR / folder, tmp_path / folder)
    before = code_version(tmp_path)
    base = tmp_path / "templates" / "base.html"
    base.write_text(base.read_text() + "<!-- new release -->")
    assert code_version(tmp_path) != before
