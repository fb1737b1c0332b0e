"""`manage.py check` refuses cached pages without SharedPagesMiddleware (caching/checks.py)."""

from tests.test_checks import check_ids


def test_page_cache_without_shared_pages_middleware(settings):
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "caching.pages.SharedPagesMiddleware"
    ]
    assert check_ids() == ["caching.E002"]
