{%- set backend = cookiecutter.cache_backend -%}
"""When the cache fails, every page is still served, from the database.

{%- if backend in ["redis", "memcached"] %}
The cache here is a real TCP port with nothing listening on it: connections are
refused, as when the server is down.
{%- elif backend == "db" %}
The cache here is a table that does not exist, as before `createcachetable`.
{%- elif backend == "file" %}
The cache here is a directory that cannot be created: its parent is a file.
{%- endif %}
"""

import logging
{%- if backend in ["redis", "memcached"] %}
import socket
{%- elif backend == "db" %}
import uuid
{%- endif %}

import pytest
{%- if backend == "db" %}
from django.core.cache import caches
from django.core.management import call_command
{%- endif %}

pytestmark = pytest.mark.django_db
{%- if backend in ["redis", "memcached"] %}

# Each process reports an outage once per server, so each test needs a port of its own.
_ports_used = set()


def unused_port():
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _ports_used:
            _ports_used.add(port)
            return port
{%- endif %}


@pytest.fixture
def broken_cache(settings{% if backend == "file" %}, tmp_path{% endif %}):
    """Point every cache alias at a cache that fails, unique to this test."""
{%- if backend in ["redis", "memcached"] %}
    port = unused_port()
{%- endif %}
{%- if backend == "redis" %}
    location = f"redis://127.0.0.1:{port}/0"
{%- elif backend == "memcached" %}
    location = [f"127.0.0.1:{port}"]
{%- elif backend == "db" %}
    location = f"missing_cache_{uuid.uuid4().hex[:8]}"
{%- elif backend == "file" %}
    (tmp_path / "a-file").write_text("not a directory")
    location = str(tmp_path / "a-file" / "cache")
{%- endif %}
    settings.CACHES = {
        alias: config if in_front_of_another(config) else {**config, "LOCATION": location}
        for alias, config in settings.CACHES.items()
    }
    return location


def in_front_of_another(config):
    """An alias whose LOCATION names another alias (caching/local_copy.py)."""
    return config["BACKEND"] == "caching.local_copy.LocalCopyCache"


def test_pages_are_served_without_the_cache(client, recipes, broken_cache):
    recipe = recipes[0]
    for _ in range(2):
        listing = client.get("/recipes/")
        detail = client.get(f"/recipes/{recipe.pk}/")
        assert listing.status_code == detail.status_code == 200
        assert recipe.name in listing.text and recipe.name in detail.text
        assert "Age" not in listing


def test_healthz_reports_the_cache_down(client, broken_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "down"}


def test_an_outage_is_logged_once(client, recipes, broken_cache, caplog):
    with caplog.at_level(logging.INFO, logger="config.cache_backends"):
        for _ in range(3):
            client.get("/recipes/")
            client.get("/healthz")  # Uses the cache whatever the caching levels.
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert "Cache unavailable" in warnings[0].getMessage()
{%- if backend == "db" %}
    assert "python manage.py createcachetable" in warnings[0].getMessage()


def test_caching_resumes_once_the_table_exists(client, broken_cache, caplog):
    assert client.get("/healthz").json()["cache"] == "down"
    call_command("createcachetable", broken_cache)
    with caplog.at_level(logging.INFO, logger="config.cache_backends"):
        caches["default"].set("probe", "hello")
    assert caches["default"].get("probe") == "hello"
    assert any("Cache available again" in record.getMessage() for record in caplog.records)
    assert client.get("/healthz").json()["cache"] == "up"
{%- endif %}
