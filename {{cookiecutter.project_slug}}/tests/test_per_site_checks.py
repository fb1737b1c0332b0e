"""`manage.py check` names a per-site cache set up wrong (caching/checks.py)."""

import pytest

from tests.test_checks import check_ids

SHARED = "caching.pages.SharedPagesMiddleware"
UPDATE = "caching.pages.StoreSharedPagesMiddleware"
FETCH = "caching.pages.ServeSharedPagesMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"
LOCALE = "django.middleware.locale.LocaleMiddleware"
GZIP = "django.middleware.gzip.GZipMiddleware"
NEVER_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"


def without(middleware, name):
    return [item for item in middleware if item != name]


def moved(middleware, name, index):
    middleware = without(middleware, name)
    middleware.insert(index if index >= 0 else len(middleware) + 1 + index, name)
    return middleware


def test_a_middleware_timeout_that_is_not_whole_seconds(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = "600"
    assert check_ids() == ["caching.E001"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: moved(m, SESSION, m.index(UPDATE)), id="update-after-session"),
        # A page served from the cache would skip its redirect to HTTPS.
        pytest.param(lambda m: moved(m, SECURITY, m.index(FETCH) + 1), id="security-skipped"),
        # The language is part of the key: ServeSharedPagesMiddleware needs it first.
        pytest.param(lambda m: [*m, LOCALE], id="locale-skipped"),
        pytest.param(lambda m: moved(m, CSRF, 0), id="update-after-csrf"),
        pytest.param(lambda m: [GZIP, *m], id="update-after-gzip"),
        pytest.param(lambda m: moved(m, NEVER_FOR_SIGNED_IN, 0), id="signed-in-outside"),
        pytest.param(lambda m: without(m, NEVER_FOR_SIGNED_IN), id="signed-in-gone"),
        pytest.param(lambda m: without(m, FETCH), id="fetch-gone"),
        pytest.param(lambda m: moved(m, SHARED, m.index(UPDATE) + 1), id="shared-after-update"),
    ],
)
def test_cache_middleware_out_of_place(settings, change):
    settings.MIDDLEWARE = change(list(settings.MIDDLEWARE))
    assert check_ids() == ["caching.E002"]


def test_per_site_caching_removed_entirely_is_fine(settings):
    for name in [UPDATE, FETCH, NEVER_FOR_SIGNED_IN]:
        settings.MIDDLEWARE = without(settings.MIDDLEWARE, name)
    assert check_ids() == []
