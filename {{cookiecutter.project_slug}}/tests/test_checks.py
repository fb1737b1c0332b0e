"""`manage.py check` names each mistake in the cache settings (recipes/checks.py).

The checks of the chosen backend's settings are tested with the backend, in
tests/test_<backend>_cache.py.
"""

import pytest
from django.core.checks import run_checks


def check_ids(**kwargs):
    """The ids of the messages of recipes/checks.py, leaving Django's own aside."""
    return sorted(m.id for m in run_checks(**kwargs) if m.id.startswith("recipes."))


def with_location(settings, location):
    """Every alias on the cache server (or table, or directory) at location."""
    server = settings.CACHES["default"]["LOCATION"]
    settings.CACHES = {
        alias: {**config, "LOCATION": location} if config.get("LOCATION") == server else config
        for alias, config in settings.CACHES.items()
    }


@pytest.mark.django_db
def test_the_baked_settings_pass():
    assert check_ids(databases=["default"]) == []


@pytest.mark.parametrize("timeout", ["600", 0, -1, 1.5, None, True])
def test_a_timeout_that_is_not_whole_seconds(settings, timeout):
    settings.CACHE_TIMEOUT = timeout
    assert check_ids() == ["recipes.E001"]
{%- if cookiecutter.cache_per_site %}


def test_a_middleware_timeout_that_is_not_whole_seconds(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = "600"
    assert check_ids() == ["recipes.E001"]


SHARED = "caching.pages.SharedPagesMiddleware"
UPDATE = "caching.pages.UpdateCacheMiddleware"
FETCH = "caching.pages.FetchFromCacheMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
NEVER_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"


def without(middleware, name):
    return [item for item in middleware if item != name]


def moved(middleware, name, index):
    middleware = without(middleware, name)
    middleware.insert(index if index >= 0 else len(middleware) + 1 + index, name)
    return middleware


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: moved(m, UPDATE, m.index(SESSION)), id="update-after-session"),
        pytest.param(lambda m: moved(m, FETCH, -3), id="fetch-not-last"),
        pytest.param(lambda m: moved(m, NEVER_FOR_SIGNED_IN, 0), id="signed-in-outside"),
        pytest.param(lambda m: without(m, NEVER_FOR_SIGNED_IN), id="signed-in-gone"),
        pytest.param(lambda m: without(m, FETCH), id="fetch-gone"),
        pytest.param(lambda m: moved(m, SHARED, m.index(UPDATE) + 1), id="shared-after-update"),
        pytest.param(lambda m: without(m, SHARED), id="shared-gone"),
    ],
)
def test_cache_middleware_out_of_place(settings, change):
    settings.MIDDLEWARE = change(list(settings.MIDDLEWARE))
    assert set(check_ids()) == {"recipes.E002"}


def test_per_site_caching_removed_entirely_is_fine(settings):
    for name in [UPDATE, FETCH, NEVER_FOR_SIGNED_IN]:
        settings.MIDDLEWARE = without(settings.MIDDLEWARE, name)
    assert check_ids() == []
{%- elif cookiecutter.cache_per_view %}


def test_page_cache_without_its_middleware(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "caching.pages.SharedPagesMiddleware"
    ]
    assert check_ids() == ["recipes.E002"]
{%- endif %}
