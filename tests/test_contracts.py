"""The baked cache classes keep the contract of Django's cache API.

Django's own cache tests (tests/cache/tests.py in Django's source, for the
installed version) run twice per backend against real servers: for the stock
class (Django's, or django-redis's) and for the class the baked settings name,
with the baked OPTIONS. No test may fail for ours that passes for the stock one,
but for the deviations named below, which are the point of our classes.

This runs the TestCase of each backend (RedisCacheTests with django-redis in
place of Django's own Redis backend, PyMemcacheCacheTests, DBCacheTests on
SQLite and PostgreSQL, FileBasedCacheTests), not django-redis's own suite.
"""

import json
import os
import tarfile

import django
import pytest

from tests.support import PYTHON, answers_for, redis_server, run

pytestmark = pytest.mark.slow

RUNNER = os.path.join(os.path.dirname(__file__), "contracts_runner.py")

# Tests of Django's that our classes fail on purpose: test name -> why.
DEVIATIONS = {
    "file": {
        "test_get_does_not_ignore_non_filenotfound_exceptions": (
            "a cache directory that cannot be read is a miss (caching/file_cache.py)"
        ),
    },
}


# Tests the "pages" alias (LocalCopyCache, caching/local_copy.py, in front of an
# alias of ours) fails on purpose, by backend: test name -> why. Its copy in this
# process does not see what another alias, or the store, did to an entry it has
# copied (the class docstring names the baked tests that pin it); and a wrapper
# has none of the private attributes of the class it wraps, which some tests read.
NOT_SEEN_ELSEWHERE = "a delete or incr through the 'v2' alias is not seen by this alias's copy"
CULLED = "an entry the store culled is still served from the copy"
KEY_FUNC_SET = "sets key_func on the alias object; the wrapper's keys are the wrapped alias's"
PAGES_DEVIATIONS = {
    backend: {
        "test_cache_versioning_delete": NOT_SEEN_ELSEWHERE,
        "test_cache_versioning_incr_decr": NOT_SEEN_ELSEWHERE,
        **only_for_backend,
    }
    for backend, only_for_backend in {
        "redis": {},
        "memcached": {
            "test_close": "patches the stock class's private _class",
            "test_set_many_returns_failing_keys": "patches the stock class's private _class",
            "test_pymemcache_highest_pickle_version": "reads the stock class's private _cache",
            "test_incr": "expects pymemcache's error (private _lib), not BaseCache's TypeError",
            "test_decr": "expects pymemcache's error (private _lib), not BaseCache's TypeError",
        },
        "db": {
            "test_cull": CULLED,
            "test_zero_cull": CULLED,
            "test_invalid_key_characters": KEY_FUNC_SET,
            "test_invalid_key_length": KEY_FUNC_SET,
            "test_invalid_with_version_key_length": KEY_FUNC_SET,
            "test_get_many_num_queries": "counts the queries of a get_many() the copy serves",
            "test_second_call_doesnt_crash": (
                "expects a createcachetable line per alias; the wrappers' are no table"
            ),
        },
        "file": {
            "test_cull": CULLED,
            "test_zero_cull": CULLED,
            "test_invalid_key_characters": KEY_FUNC_SET,
            "test_invalid_key_length": KEY_FUNC_SET,
            "test_invalid_with_version_key_length": KEY_FUNC_SET,
            "test_touch": "moves the file backend's clock (a mock), not the copy's",
            "test_cache_dir_permissions": "reads the stock class's private _dir",
            "test_empty_cache_file_considered_expired": "calls the private _key_to_file",
            "test_get_ignores_enoent": "calls the private _key_to_file",
        },
    }.items()
}


@pytest.fixture(scope="session")
def django_tests(tmp_path_factory):
    """The tests folder of Django's source, for the version installed."""
    workdir = tmp_path_factory.mktemp("django-source")
    version = django.get_version()
    run(
        [PYTHON, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        + [f"Django=={version}", "--dest", str(workdir)],
        workdir,
        os.environ,
    )
    (archive,) = workdir.glob("*.tar.gz")
    with tarfile.open(archive) as source:
        cache_tests = [m for m in source.getmembers() if "/tests/cache/" in m.name]
        source.extractall(workdir, members=cache_tests, filter="data")
    (tests,) = workdir.glob("*/tests")
    return tests


@pytest.fixture
def location(request, tmp_path):
    """Where the backend's cache lives for Django's tests: real servers of their own."""
    backend = request.getfixturevalue("backend")
    if backend == "redis":
        server = redis_server(tmp_path).start()
        request.addfinalizer(server.stop)
        return f"redis://127.0.0.1:{server.port}/0"
    if backend == "memcached":
        pool = request.getfixturevalue("memcached_pool")
        return ",".join(f"127.0.0.1:{server.port}" for server in pool)
    if backend == "db":
        return "test cache table"  # The table name Django's DBCacheTests drop.
    return str(tmp_path / "unused")  # FileBasedCacheTests make a directory per test.


@pytest.fixture
def database_env(request, database):
    """SQLite in memory, or a PostgreSQL server of the tests' own."""
    if database == "sqlite":
        return {}
    return {"CONTRACT_DATABASE_URL": request.getfixturevalue("postgres_server").url("postgres")}


def outcomes(project, django_tests, backend, which, location, database_env):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CONTRACT_")
    }
    result = run(
        [PYTHON, RUNNER, str(django_tests), backend, which, location],
        project,
        {**environment, **database_env, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("backend", "database"),
    [
        ("redis", "sqlite"),
        ("memcached", "sqlite"),
        ("db", "sqlite"),
        # On PostgreSQL, our database cache gives its queries a savepoint.
        ("db", "postgresql"),
        ("file", "sqlite"),
    ],
)
def test_django_cache_tests_pass_for_ours_where_they_pass_for_stock(
    bake, django_tests, backend, location, database_env
):
    # A level that caches pages: the bake has its "pages" alias, a LocalCopyCache.
    project = bake(answers_for(backend, {"cache_per_view"}))
    stock = outcomes(project, django_tests, backend, "stock", location, database_env)
    passed = {test for test, outcome in stock.items() if outcome == "passed"}
    assert len(passed) > 40, f"Django's cache tests did not run for the stock class: {stock}"

    for which, expected in [
        ("ours", DEVIATIONS.get(backend, {})),
        ("pages", {**DEVIATIONS.get(backend, {}), **PAGES_DEVIATIONS[backend]}),
    ]:
        result = outcomes(project, django_tests, backend, which, location, database_env)
        broken = {t: result.get(t, "not run") for t in passed if result.get(t) != "passed"}
        unexplained = {test: outcome for test, outcome in broken.items() if test not in expected}
        assert unexplained == {}, (
            f"{backend}: pass with the stock class, not with {which}:\n"
            + json.dumps(unexplained, indent=1)
        )
        missing = set(expected) - set(broken)
        assert missing == set(), f"{backend}, {which}: a named deviation no longer deviates"
