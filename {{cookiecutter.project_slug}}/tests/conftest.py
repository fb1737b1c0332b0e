{%- set d = derived(cookiecutter) -%}
import io
import socket
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from caching.isolated_caches import IsolatedCaches
from tests.cache_server import cache_server_problem


def pytest_sessionstart(session):
    """Stop at once, with one line, when a server the suite needs is not running."""
    problem = cache_server_problem() or database_problem()
    if problem:
        pytest.exit(problem, returncode=1)


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


@pytest.fixture(params=["list", "detail"])
def url(request, recipes):
    """The recipe list, then one recipe's page: the two kinds of page every test visits."""
    return "/recipes/" if request.param == "list" else f"/recipes/{recipes[0].pk}/"


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


@pytest.fixture
def visitors(django_user_model):
    """Two signed-in visitors, alice and bob, and an anonymous one, by name."""
    clients = {}
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, password=f"{name}-pw-0192")
        clients[name] = Client()
        clients[name].force_login(user)
    clients["anonymous"] = Client()
    return clients

{% if d.backend == "db" %}
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
