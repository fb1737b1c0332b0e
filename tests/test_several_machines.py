"""Past one machine: the same baked code on a memcached pool, a Redis primary with a
replica, Redis over TLS and PostgreSQL, by changing environment variables only."""

import time
import urllib.error
from urllib.parse import quote

import psycopg
import pytest
from redis import Redis

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    get,
    gunicorn,
    memcached_items,
    prepare,
    run,
    run_baked_suite,
    site_env,
)

pytestmark = pytest.mark.slow

# A replica catches up with its primary in milliseconds on one machine; the bound
# is generous because the machine running the tests is shared.
REPLICA_CATCH_UP_SECONDS = 5
# pymemcache drops a dead server from the pool at its first failure and tries it
# again dead_timeout (2 s in the baked settings) later: the traffic goes on for
# two of those while the server is dead.
MEMCACHED_DEAD_SECONDS = 4
# A dropped server rejoins dead_timeout after it was dropped, at a check pymemcache
# makes at most once per dead_timeout: within 4 s, plus much slack.
MEMCACHED_REJOIN_SECONDS = 30
INVALIDATE = "from recipes.caching import invalidate_recipe_caches; invalidate_recipe_caches()"

PAGES = ["/recipes/", *(f"/recipes/{pk}/" for pk in range(1, 11))]


def status(url):
    try:
        return get(url)[0]
    except urllib.error.HTTPError as error:
        return error.code


def visit_all(site):
    """Visit every page; return the URLs that did not answer 200."""
    return [path for path in PAGES if status(site + path) != 200]


def cached_visit(url, within):
    """Visit url until the answer comes from the cache (it has an Age header)."""
    deadline = time.monotonic() + within
    while True:
        _, headers, body = get(url)
        if "Age" in headers:
            return body
        assert time.monotonic() < deadline, f"{url} was not served from the cache within {within}s"
        time.sleep(0.1)


def test_memcached_pool_shares_keys_and_outlives_a_dead_server(bake, memcached_pool):
    first, second = memcached_pool
    project = bake(answers_for("memcached", set(LEVELS)))
    env = site_env(MEMCACHED_SERVERS=f"127.0.0.1:{first.port},127.0.0.1:{second.port}")
    prepare(project, env)
    with gunicorn(project, env) as site:
        assert visit_all(site) == visit_all(site) == []
        assert memcached_items(first.port) > 0, "the first server of the pool holds no keys"
        assert memcached_items(second.port) > 0, "the second server of the pool holds no keys"

        first.process.kill()
        first.process.wait()
        dead_until = time.monotonic() + MEMCACHED_DEAD_SECONDS
        while time.monotonic() < dead_until:
            assert visit_all(site) == [], "pages failed with one memcached server of two dead"

        first.start()
        deadline = time.monotonic() + MEMCACHED_REJOIN_SECONDS
        while memcached_items(first.port) == 0:
            assert time.monotonic() < deadline, (
                f"the restarted server got no keys within {MEMCACHED_REJOIN_SECONDS}s"
            )
            # New pages to store: each process keeps a copy of the pages it has
            # (caching/local_copy.py), so only an edit makes it write new keys.
            run([PYTHON, "manage.py", "shell", "-c", INVALIDATE], project, env)
            assert visit_all(site) == []
            time.sleep(0.5)


def test_redis_replica_serves_reads_and_an_edit_shows_at_once(bake, redis_primary_and_replica):
    """Reads come from the replica; an edit shows on the next request even while the
    replica lags behind (here: cut off), and cache hits resume once it catches up."""
    primary, replica, password = redis_primary_and_replica
    secret = quote(password, safe="")
    env = site_env(
        REDIS_URL=",".join(
            f"redis://:{secret}@127.0.0.1:{server.port}/0" for server in (primary, replica)
        )
    )
    project = bake(answers_for("redis", set(LEVELS)))
    prepare(project, env)
    replica_client = Redis(host="127.0.0.1", port=replica.port, password=password)
    url_path = "/recipes/"

    with gunicorn(project, env) as site:
        hits_before = replica_client.info("stats")["keyspace_hits"]
        assert "Tomato soup #1" in cached_visit(site + url_path, within=REPLICA_CATCH_UP_SECONDS)
        assert replica_client.info("stats")["keyspace_hits"] > hits_before, (
            "no read hit the replica"
        )

        # Cut the replica off: it keeps its copies of the pages from before the edit.
        replica_client.replicaof("NO", "ONE")
        run(
            [
                *(PYTHON, "manage.py", "shell", "-c"),
                "from recipes.models import Recipe\n"
                "recipe = Recipe.objects.get(name='Tomato soup #1')\n"
                "recipe.name = 'Renamed soup'\n"
                "recipe.save()\n",
            ],
            project,
            env,
        )
        _, _, body = get(site + url_path)
        assert "Renamed soup" in body, "a lagging replica served the page from before the edit"

        replica_client.replicaof("127.0.0.1", primary.port)
        body = cached_visit(site + url_path, within=REPLICA_CATCH_UP_SECONDS)
        assert "Renamed soup" in body
    replica_client.close()


def test_baked_suite_passes_on_redis_over_tls_with_a_password(bake, redis_tls_server):
    server, ca_file, password = redis_tls_server
    secret = quote(password, safe="")
    env = site_env(
        REDIS_URL=f"rediss://:{secret}@127.0.0.1:{server.port}/0"
        f"?ssl_ca_certs={quote(str(ca_file), safe='')}"
    )
    project = bake(answers_for("redis", set(LEVELS)))
    run_baked_suite(project, env)
    with Redis(
        host="127.0.0.1", port=server.port, password=password, ssl=True, ssl_ca_certs=str(ca_file)
    ) as redis:
        # The suite deletes what it wrote; what it asked of the server stays counted.
        writes = redis.info("commandstats").get("cmdstat_set", {}).get("calls", 0)
        assert writes > 0, "the suite passed without writing to the TLS server"


def test_baked_suite_and_site_run_on_postgresql_with_the_db_cache(bake, postgres_server):
    project = bake(answers_for("db", set(LEVELS)))
    env = site_env(DATABASE_URL=postgres_server.create_database("recipe_site"))
    prepare(project, env, cache_table=True)
    run_baked_suite(project, env)
    with gunicorn(project, env) as site:
        get(site + "/recipes/")
        _, headers, body = get(site + "/recipes/")
        assert "Age" in headers and "Tomato soup #1" in body
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        (entries,) = connection.execute("SELECT COUNT(*) FROM django_cache").fetchone()
    assert entries > 0, "the pages were cached, but not in the PostgreSQL cache table"
