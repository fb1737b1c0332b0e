"""Run Django's own cache tests for one backend class; print each test's outcome as JSON.

Run by tests/test_contracts.py, with a baked project as the working directory:

    python contracts_runner.py DJANGO_TESTS_DIR BACKEND stock|ours|pages LOCATION

"stock" tests Django's (or django-redis's) class; "ours" the class the baked
settings name, with the baked OPTIONS; "pages" the baked "pages" alias, a
LocalCopyCache (caching/local_copy.py) in front of an alias of ours: every alias
of Django's tests becomes such a pair. Both get the same LOCATION and no
KEY_PREFIX or TIMEOUT of the project's, which Django's tests do not expect.
The database is SQLite in memory, or CONTRACT_DATABASE_URL (a server Django's
test runner may create its test database on).
"""

import json
import os
import sys
import unittest
from pathlib import Path

DJANGO_TESTS, BACKEND, WHICH, LOCATION = sys.argv[1:5]
sys.path[:0] = [str(Path.cwd()), DJANGO_TESTS]

# The TestCase of Django's tests/cache/tests.py for each backend, and the stock class.
TEST_CLASS = {
    "redis": "RedisCacheTests",
    "memcached": "PyMemcacheCacheTests",
    "db": "DBCacheTests",
    "file": "FileBasedCacheTests",
}
STOCK = {
    "redis": "django_redis.cache.RedisCache",
    "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
    "db": "django.core.cache.backends.db.DatabaseCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
}
# Django's server-backed test classes leave out the cull options.
WITHOUT_CULL = {"redis", "memcached"}
LOCAL_COPY = "caching.local_copy.LocalCopyCache"
# Django's test classes of the cache middleware and cache_page, on local memory
# (Django's private _overridden_settings holds their CACHES); named
# "<class>.<test>" in the outcomes.
MIDDLEWARE_TESTS = [
    "CacheUtils",
    "CacheHEADTest",
    "CacheI18nTest",
    "CacheMiddlewareTest",
    "TestWithTemplateResponse",
]


def shared_alias(alias):
    """The alias of ours that the "pages" variant's alias of that name wraps."""
    return f"{alias}-shared"


def set_up_local_copies(self):
    """Each test starts with empty local copies, as with the stock classes' own stores.

    FileBasedCacheTests.setUp() points every alias at its directory: the wrappers'
    LOCATION names their wrapped alias again.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.test.signals import setting_changed

    super(type(self), self).setUp()
    moved = False
    for alias, config in settings.CACHES.items():
        if config["BACKEND"] == LOCAL_COPY and config["LOCATION"] != shared_alias(alias):
            config["LOCATION"], moved = shared_alias(alias), True
    if moved:
        setting_changed.send(type(self), setting="CACHES", enter=False)
    for alias, config in settings.CACHES.items():
        if config["BACKEND"] == LOCAL_COPY:
            caches[alias].local_copy.clear()


def class_under_test():
    if WHICH == "stock":
        return {"BACKEND": STOCK[BACKEND], "LOCATION": LOCATION}
    from config.settings import CACHES  # The baked settings, as a site would run them.

    baked = CACHES["default"]
    return {"BACKEND": baked["BACKEND"], "LOCATION": LOCATION, "OPTIONS": baked.get("OPTIONS", {})}


def database():
    url = os.environ.get("CONTRACT_DATABASE_URL")
    if url is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    import environ  # What the baked settings read DATABASE_URL with.

    return environ.Env.db_url_config(url)


def configure():
    from django.conf import settings

    params = class_under_test()
    settings.configure(
        SECRET_KEY="django-cache-contract-tests",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "cache"],
        DATABASES={"default": database()},
        # Django's server-backed test classes run only when such a cache is configured.
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "memcached": {
                "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                # Some of the memcached tests use this one, the stock class.
                "LOCATION": LOCATION if BACKEND == "memcached" else "127.0.0.1:11211",
            },
            "redis": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379",
            },
        },
        USE_TZ=False,
    )
    return params


def suite_for(params):
    import django

    django.setup()
    from cache import tests

    base = getattr(tests, TEST_CLASS[BACKEND])
    caches = tests.caches_setting_for_tests(
        base=params, exclude={"cull", "zero_cull"} if BACKEND in WITHOUT_CULL else None
    )
    suite = unittest.TestSuite()
    suite.addTests(load(*variant_of(base, caches)))
    # Django's middleware and cache_page tests, on the caches they set up (local
    # memory, whatever BACKEND): as they are, or each alias behind a LocalCopyCache.
    for name in MIDDLEWARE_TESTS:
        middleware_tests = getattr(tests, name)
        caches = middleware_tests._overridden_settings["CACHES"]
        suite.addTests(load(*variant_of(middleware_tests, caches)))
    return suite


def variant_of(base, caches):
    """(TestCase class, CACHES) to run base with, for WHICH."""
    members = {"__module__": base.__module__}
    if WHICH == "pages":
        caches = {
            **{shared_alias(alias): config for alias, config in caches.items()},
            **{alias: {"BACKEND": LOCAL_COPY, "LOCATION": shared_alias(alias)} for alias in caches},
        }
        members["setUp"] = set_up_local_copies
    return type(f"{WHICH.title()}{base.__name__}", (base,), members), caches


def load(variant, caches):
    from django.test import override_settings

    return unittest.defaultTestLoader.loadTestsFromTestCase(
        override_settings(CACHES=caches)(variant)
    )


class Outcomes(unittest.TestResult):
    """A TestResult that also keeps the names of the tests that passed."""

    def __init__(self):
        super().__init__()
        self.passed = {}

    def addSuccess(self, test):  # noqa: N802 - unittest's name.
        super().addSuccess(test)
        self.passed[method_name(test)] = "passed"


def method_name(test):
    """The test method's name; for a subTest, its case's; for a failed setUpClass, what failed."""
    test = getattr(test, "test_case", test)
    name = getattr(test, "_testMethodName", None) or test.description
    base = type(test).__mro__[1].__name__
    return f"{base}.{name}" if base in MIDDLEWARE_TESTS else name


def main():
    params = configure()
    suite = suite_for(params)
    from django.test.runner import DiscoverRunner

    runner = DiscoverRunner(verbosity=0, interactive=False)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    result = Outcomes()
    suite.run(result)
    runner.teardown_databases(databases)
    outcomes = result.passed
    for kind in ("failures", "errors"):
        for test, trace in getattr(result, kind):
            outcomes[method_name(test)] = f"{kind[:-1]}: {trace.strip().splitlines()[-1]}"
    for test, reason in result.skipped:
        outcomes[method_name(test)] = f"skipped: {reason}"
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
