"""The cache is Django's database cache, in the table CACHE_TABLE names."""

import logging

import pytest
from django.core.cache import cache, caches
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection

from caching.db_cache import MissOnErrorDatabaseCache
from tests.cache_server import unreachable_location
from tests.test_checks import check_ids, with_location

pytestmark = pytest.mark.django_db


def test_an_entry_lands_in_the_cache_table(settings):
    assert isinstance(caches["default"], MissOnErrorDatabaseCache)
    cache.set("probe", "hello")
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        key = cache.make_and_validate_key("probe")
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE cache_key = %s", [key])
        assert cursor.fetchone()[0] == 1
    assert cache.get("probe") == "hello"


@pytest.fixture
def missing_table(settings, tmp_path):
    """Every cache alias on a table that does not exist yet, unique to this test."""
    table = unreachable_location(tmp_path)
    with_location(settings, table)
    return table


def test_a_missing_cache_table_is_checked(missing_table):
    messages = [m for m in run_checks(databases=["default"]) if m.id.startswith("caching.")]
    assert [message.id for message in messages] == ["caching.W001"]
    assert "python manage.py createcachetable" in messages[0].hint


def test_the_table_is_checked_only_when_asked_to_look_at_the_database(missing_table):
    assert check_ids() == []


def test_the_outage_log_says_to_create_the_table(client, missing_table, caplog):
    with caplog.at_level(logging.WARNING, logger="caching"):
        client.get("/healthz")
    (warning,) = [record for record in caplog.records if record.name.startswith("caching")]
    assert "run `python manage.py createcachetable`" in warning.getMessage()


def test_caching_resumes_once_the_table_exists(client, missing_table, caplog):
    assert client.get("/healthz").json()["cache"] == "down"
    call_command("createcachetable", missing_table)
    with caplog.at_level(logging.INFO, logger="caching"):
        cache.set("probe", "hello")
    assert cache.get("probe") == "hello"
    assert any("Cache available again" in record.getMessage() for record in caplog.records)
    assert client.get("/healthz").json()["cache"] == "up"
