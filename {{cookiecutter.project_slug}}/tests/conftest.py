{%- set backend = cookiecutter.cache_backend -%}
import io
import socket
import uuid
from contextlib import contextmanager
{%- if backend == "redis" %}
from urllib.parse import urlsplit
{%- endif %}

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
{%- if backend == "redis" %}
from django_redis import get_redis_connection
from redis import Redis, RedisError
{%- elif backend == "memcached" %}
from pymemcache.client.base import Client
from pymemcache.exceptions import MemcacheError
{%- endif %}

from caching.isolated_caches import IsolatedCaches


def pytest_sessionstart(session):
    """Stop at once, with one line, when a server the suite needs is not running."""
{%- if backend in ["redis", "memcached"] %}
    problem = cache_server_problem() or database_problem()
{%- else %}
    problem = database_problem()
{%- endif %}
    if problem:
        pytest.exit(problem, returncode=1)
{%- if backend == "redis" %}


def cache_server_problem():
    """A line saying the Redis primary cannot be reached, or None."""
    try:
        # Through django-redis's own connection pool (a primary, or the one the
        # sentinels name), by a plain client: the site's would log an outage.
        Redis(connection_pool=get_redis_connection("default").connection_pool).ping()
    except RedisError:
        where = without_password(settings.REDIS_URL)
        return f"Redis is not reachable at {where}: start it (see README) or set REDIS_URL"
    return None


def without_password(url):
    """The URL with its password, if any, replaced by ***."""
    password = urlsplit(url).password
    return url if password is None else url.replace(f":{password}@", ":***@", 1)
{%- elif backend == "memcached" %}


def cache_server_problem():
    """A line naming a memcached server that cannot be reached, or None."""
    for server in settings.CACHES["default"]["LOCATION"]:
        host, port = server.rsplit(":", 1)
        client = Client((host, int(port)), connect_timeout=1, timeout=1)
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
{%- endif %}


def database_problem():
    """A line saying PostgreSQL cannot be reached, when DATABASE_URL points to it."""
    database = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        return None
    host, port = database.get("HOST") or "localhost", int(database.get("PORT") or 5432)
    try:
        if host.startswith("/"):  # A Unix socket directory.
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(2)
                probe.connect(f"{host}/.s.PGSQL.{port}")
        else:
            socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return (
            f"PostgreSQL is not reachable at {host}:{port}: start it (see README) "
            "or set DATABASE_URL"
        )
    return None


@pytest.fixture(scope="session")
def test_caches(django_db_setup, django_db_blocker):
    """The suite's cache settings: removed from the cache server when the run ends."""
    isolated = IsolatedCaches(settings.CACHES, label=f"test-{uuid.uuid4().hex[:8]}")
    yield isolated
    with django_db_blocker.unblock():  # The db backend's entries are rows.
        isolated.delete_entries()


@pytest.fixture(autouse=True)
def isolated_cache(settings, test_caches):
    """Give each test its own key prefix on the real cache server.

    Tests never see each other's entries, and nothing is ever flushed, so the
    suite is safe to run against a server that holds other data; what it wrote
    is deleted when the run ends.
    """
    settings.CACHES = test_caches.settings(suffix=f"-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def recipes(db):
    """Three sample recipes with five ingredients each."""
    call_command("seed_recipes", count=3, stdout=io.StringIO())
    from recipes.models import Recipe

    return list(Recipe.objects.all())


@pytest.fixture
def capture_recipe_queries():
    """Collect the SQL of the queries on the recipe tables made inside the block."""

    @contextmanager
    def capture():
        queries = []
        with CaptureQueriesContext(connection) as captured:
            yield queries
        queries.extend(q["sql"] for q in captured.captured_queries if "recipes_" in q["sql"])

    return capture

{% if cookiecutter.cache_backend == "db" %}
@pytest.fixture
def assert_no_recipe_queries(settings):
    """Assert the block reads nothing from the database but the cache table.

    On PostgreSQL, the cache's queries inside a transaction (each test's) come
    with savepoints (caching/db_cache.py).
    """
    cache_table = settings.CACHES["default"]["LOCATION"]

    def is_cache_query(sql):
        return cache_table in sql or "SAVEPOINT" in sql

    @contextmanager
    def check():
        with CaptureQueriesContext(connection) as captured:
            yield
        others = [q["sql"] for q in captured.captured_queries if not is_cache_query(q["sql"])]
        assert others == [], f"expected only cache-table queries, got {others}"

    return check
{%- else %}
@pytest.fixture
def assert_no_recipe_queries(django_assert_num_queries):
    """Assert the block makes no SQL query at all."""
    return lambda: django_assert_num_queries(0)
{%- endif %}
