"""The baked cache classes keep the contract of Django's cache API.

Django's own cache tests (tests/cache/tests.py in Django's source, for the
installed version) run three times per backend against real servers: for the
stock class (Django's, or django-redis's), for the class the baked settings name,
with the baked OPTIONS, and for the baked "pages" alias (LocalCopyCache) in front
of ours. No test may fail for ours that passes for the stock one, but for the
deviations named below, which are the point of our classes.

This runs the TestCase of each backend (RedisCacheTests with django-redis in
place of Django's own Redis backend, PyMemcacheCacheTests, DBCacheTests on
SQLite and PostgreSQL, FileBasedCacheTests) and the tests of the cache middleware
and cache_page (on local memory, or behind LocalCopyCache for "pages"); and
django-redis's own tests of its cache backend (tests/test_backend.py in its
source) with its client class and with ours, caching.redis_cache.RedisWithBackoff.
"""

import json
import os
import subprocess
import tarfile
import xml.etree.ElementTree as ET
from importlib.metadata import version as installed_version

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
    with tarfile.open(source_of("Django", django.get_version(), workdir)) as source:
        cache_tests = [m for m in source.getmembers() if "/tests/cache/" in m.name]
        source.extractall(workdir, members=cache_tests, filter="data")
    (tests,) = workdir.glob("*/tests")
    return tests


def source_of(package, version, workdir):
    """The sdist of package==version, from the index pip uses, unpacked in workdir."""
    run(
        [PYTHON, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        + [f"{package}=={version}", "--dest", str(workdir)],
        workdir,
        os.environ,
    )
    (archive,) = workdir.glob("*.tar.gz")
    return archive


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


# django-redis's tests that our client class fails on purpose: test name -> why.
DJANGO_REDIS_DEVIATIONS = {}
# What django-redis's tests import besides django-redis and pytest.
DJANGO_REDIS_TEST_NEEDS = ["msgpack==1.2.4", "pytest-mock==3.17.0"]


@pytest.fixture(scope="session")
def django_redis_source(tmp_path_factory):
    """The source of the installed django-redis, with what its tests need installed beside it."""
    workdir = tmp_path_factory.mktemp("django-redis-source")
    with tarfile.open(
        source_of("django-redis", installed_version("django-redis"), workdir)
    ) as sdist:
        sdist.extractall(workdir, filter="data")
    (source,) = (path for path in workdir.iterdir() if path.is_dir())
    run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(workdir / "needs")]
        + DJANGO_REDIS_TEST_NEEDS,
        workdir,
        os.environ,
    )
    return source, workdir / "needs"


def django_redis_outcomes(source, needs, project, port, which):
    """{test name: outcome} of django-redis's tests/test_backend.py, for which client class."""
    settings = source / "tests/settings/sqlite.py.orig"  # As django-redis ships it.
    if not settings.exists():
        settings.write_text((source / "tests/settings/sqlite.py").read_text())
    text = settings.read_text().replace("127.0.0.1:6379", f"127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in text, "django-redis's test settings name another server now"
    if which == "ours":
        text += (
            "\nfor _alias in CACHES.values():\n"
            '    _alias["OPTIONS"]["REDIS_CLIENT_CLASS"] = "caching.redis_cache.RedisWithBackoff"\n'
        )
    (source / "tests/settings/sqlite.py").write_text(text)
    report = source / f"report-{which}.xml"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    here = os.path.dirname(__file__)
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-c", os.devnull, "--rootdir", str(source)]
        + ["-p", "django_redis_selection", "-p", "no:django", "-p", "no:cacheprovider"]
        + ["-q", "--junitxml", str(report), "tests/test_backend.py"],
        cwd=source,
        env={**environment, "PYTHONPATH": os.pathsep.join([str(needs), here, str(project)])},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert report.exists(), f"django-redis's tests did not run:\n{result.stdout}{result.stderr}"
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problems = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name")] = problems[0] if problems else "passed"
    return outcomes


def test_django_redis_tests_pass_for_our_client_where_they_pass_for_stock(
    bake, django_redis_source, tmp_path
):
    source, needs = django_redis_source
    project = bake(answers_for("redis", set()))
    server = redis_server(tmp_path).start()
    try:
        stock = django_redis_outcomes(source, needs, project, server.port, "stock")
        ours = django_redis_outcomes(source, needs, project, server.port, "ours")
    finally:
        server.stop()

    passed = {test for test, outcome in stock.items() if outcome == "passed"}
    assert len(passed) > 50, f"django-redis's tests did not run for its client class: {stock}"
    batch = ["set_many", "delete_many", "delete_pattern", "incr", "ttl"]
    for name in batch:
        assert f"test_{name}[sqlite]" in passed, f"django-redis's test_{name} did not pass: {stock}"
    broken = {test: ours.get(test, "not run") for test in passed if ours.get(test) != "passed"}
    unexplained = {t: outcome for t, outcome in broken.items() if t not in DJANGO_REDIS_DEVIATIONS}
    assert unexplained == {}, "pass with django-redis's client class, not with ours:\n" + (
        json.dumps(unexplained, indent=1)
    )
    assert set(broken) == set(DJANGO_REDIS_DEVIATIONS), "a named deviation no longer deviates"
