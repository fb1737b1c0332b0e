{%- set backend = cookiecutter.cache_backend -%}
"""A cached page costs one read of the {% if backend == "db" %}cache table{% else %}cache server{% endif %}, and never a page read ahead for nothing.

The pages cache (recipes/pages.py) reads the recipes version, the header entry
and the page it expects in one get_many. These tests count the reads that reach
the real {% if backend == "redis" %}Redis server (its own command statistics){% elif backend == "memcached" %}memcached server (the requests pymemcache sends it){% else %}database (the queries on the cache table){% endif %}, and check that what
was read ahead is served only when it is exactly the page Django asks for.
"""

from contextlib import contextmanager

import pytest
{%- if backend == "redis" %}
from django_redis import get_redis_connection
{%- elif backend == "memcached" %}
from pymemcache.client.base import Client
{%- elif backend == "db" %}
from django.db import connection
from django.test.utils import CaptureQueriesContext
{%- endif %}

pytestmark = pytest.mark.django_db
{%- if backend == "redis" %}


@pytest.fixture
def count_reads():
    """Count the GET and MGET commands the Redis server runs inside the block."""
    server = get_redis_connection("default", write=True)

    def reads_so_far():
        stats = server.info("commandstats")
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "mget"))

    @contextmanager
    def counting():
        counted = []
        before = reads_so_far()
        yield counted
        counted.append(reads_so_far() - before)

    return counting
{%- elif backend == "memcached" %}


@pytest.fixture
def count_reads(monkeypatch):
    """Count the get requests pymemcache sends to the memcached servers inside the block."""
    sent = []
    fetch = Client._fetch_cmd

    def counted_fetch(self, name, *args, **kwargs):
        sent.append(name)
        return fetch(self, name, *args, **kwargs)

    monkeypatch.setattr(Client, "_fetch_cmd", counted_fetch)

    @contextmanager
    def counting():
        counted = []
        before = len(sent)
        yield counted
        counted.append(len([name for name in sent[before:] if name in (b"get", b"gets")]))

    return counting
{%- elif backend == "db" %}


@pytest.fixture
def count_reads(settings):
    """Count the SELECTs on the cache table inside the block."""
    table = settings.CACHES["default"]["LOCATION"]

    @contextmanager
    def counting():
        counted = []
        with CaptureQueriesContext(connection) as captured:
            yield counted
        sql = [query["sql"] for query in captured.captured_queries]
        counted.append(len([q for q in sql if q.startswith("SELECT") and table in q]))

    return counting
{%- endif %}


@pytest.fixture
def cached_list(client, recipes):
    """The list page, cached and read once since, so this process knows what to read ahead."""
    client.get("/recipes/")
    assert "Age" in client.get("/recipes/")
    return "/recipes/"


def test_a_cached_page_is_one_read(client, cached_list, count_reads):
    with count_reads() as reads:
        response = client.get(cached_list)
    assert "Age" in response
    assert reads == [1]


def test_a_write_is_seen_although_the_old_page_was_read_ahead(
    client, cached_list, recipes, django_capture_on_commit_callbacks
):
    recipe = recipes[0]
    recipe.name = "Read-ahead soup"
    with django_capture_on_commit_callbacks(execute=True):
        recipe.save()
    # The read ahead still fetches the page stored under the old recipes version...
    response = client.get(cached_list)
    # ...and Django, asking for the new version's key, gets a page built afresh.
    assert "Age" not in response
    assert "Read-ahead soup" in response.content.decode()


def test_a_new_visitor_gets_a_page_of_their_own(client, cached_list):
    # The page read ahead is the one for visitors without cookies.
    client.cookies["seen_banner"] = "yes"
    response = client.get(cached_list)
    assert "Age" not in response  # Built for this cookie, not the page read ahead.
    assert "Age" in client.get(cached_list)


def test_signed_in_visits_leave_the_read_ahead_alone(
    client, cached_list, count_reads, django_user_model
):
    alice = django_user_model.objects.create_user("alice", password="s3cret-pass")
    signed_in = type(client)()
    signed_in.force_login(alice)
    assert "Age" not in signed_in.get(cached_list)
    with count_reads() as reads:
        assert "Age" in client.get(cached_list)
    assert reads == [1]


def test_a_head_request_is_served_from_the_cache_too(client, cached_list):
    response = client.head(cached_list)
    assert response.status_code == 200
    assert "Age" in response
