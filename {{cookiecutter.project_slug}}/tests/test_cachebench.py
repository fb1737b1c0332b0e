"""manage.py cachebench measures the site as configured, without touching its data."""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext


def cachebench(*arguments):
    result = subprocess.run(
        [sys.executable, "manage.py", "cachebench", *arguments],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def queries_of_a_hit(client, path):
    """The SQL queries of a third visit to path, measured here, in the test's own process."""
    client.get(path, secure=True)
    client.get(path, secure=True)
    with CaptureQueriesContext(connection) as captured:
        client.get(path, secure=True)
    return len(captured.captured_queries)


# Outside a transaction, as the command runs: no savepoints among the queries.
@pytest.mark.django_db(transaction=True)
def test_json_report_covers_both_pages_cached_and_bypassed(client, recipes):
    database = settings.BASE_DIR / "db.sqlite3"
    existed = database.exists()
    report = json.loads(cachebench("--requests", "3", "--recipes", "5", "--json"))
    rows = {(row["page"], row["caching"]): row for row in report["results"]}
    assert set(rows) == {
        ("list", "on"),
        ("detail", "on"),
        ("list", "bypassed"),
        ("detail", "bypassed"),
    }
    assert report["backend"] == settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    assert rows["list", "bypassed"]["hit_queries"] == 3  # count, recipes, ingredients
    # A hit costs what it costs a visitor (none with pages or the list cached, but on the db cache).
    assert rows["list", "on"]["hit_queries"] == queries_of_a_hit(client, "/recipes/")
    assert all(row["hit_requests_per_second"] > 0 for row in rows.values())
    assert all(row["hit_network_calls"] >= 0 for row in rows.values())
    assert database.exists() == existed  # a throwaway database, never the site's own


def test_table_report_names_the_backend():
    output = cachebench("--requests", "2", "--recipes", "3")
    assert settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] in output
    assert "hit req/s" in output and "net/hit" in output


def test_bad_arguments_get_one_clear_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "cachebench", "--requests", "0"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "CommandError: --requests must be 1 or more (got 0)"
