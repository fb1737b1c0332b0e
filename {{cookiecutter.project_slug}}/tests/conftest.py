import io
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Give each test its own key prefix on the real cache server.

    Tests never see each other's entries, and nothing is ever flushed, so the
    suite is safe to run against a server that holds other data.
    """
    run = uuid.uuid4().hex[:8]
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-test-{run}"}
        for alias, config in settings.CACHES.items()
    }


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
