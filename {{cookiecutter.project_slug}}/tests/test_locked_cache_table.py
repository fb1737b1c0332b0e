"""An edit the cache table cannot record, as another connection locks it, is never hidden."""

import contextlib
import logging
import sqlite3

import pytest
from django.conf import settings
from django.db import connection

from recipes.caching import invalidate_recipe_caches, version_unstored
from recipes.models import Recipe
from recipes.version_store import read_version

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def cache_table_locked():
    """Another connection holds a write lock on the cache table until the block ends."""
    table = settings.CACHES["default"]["LOCATION"]
    if connection.vendor == "postgresql":
        other = connection.copy()
        # Writes to a locked table wait for lock_timeout, then fail.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {other.ops.quote_name(table)} IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        return
    name = connection.settings_dict["NAME"]
    # The test database lives in memory, shared by the connections of this process.
    other = sqlite3.connect(name, uri=str(name).startswith("file:"), timeout=0.2)
    other.execute("BEGIN IMMEDIATE")
    other.execute(f'UPDATE "{table}" SET expires = expires')
    try:
        yield
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def version_stored_again():
    yield
    version_unstored.clear()  # Whatever the test left: the next starts with a stored version.


def test_an_edit_the_locked_table_refuses_never_shows_the_old_page(
    client, recipes, caplog, version_stored_again
):
    recipe = recipes[0]
    urls = ["/recipes/", f"/recipes/{recipe.pk}/"]
    for _ in range(2):
        for url in urls:
            assert recipe.name in client.get(url).text
    old_version = read_version()
    # A write that sends no signal: the version is replaced below, under the lock.
    Recipe.objects.filter(pk=recipe.pk).update(name="Renamed under a lock")

    with caplog.at_level(logging.ERROR, logger="recipes.caching"), cache_table_locked():
        invalidate_recipe_caches()
        assert all("Renamed under a lock" in client.get(url).text for url in urls)
    assert all("Renamed under a lock" in client.get(url).text for url in urls)

    assert read_version() not in (None, old_version), "no new version once the lock is gone"
    assert not version_unstored.is_set()
    refused = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(refused) == 1, refused
    assert "did not store the new recipes version" in refused[0]
