"""`manage.py check` names each mistake in the cache settings (caching/checks.py).

The checks of the backend's own settings (caching/backend_checks.py) are tested with the
backend, in tests/test_<backend>_cache.py.
"""

import pytest
from django.core.checks import run_checks

from caching import conf


def check_ids(**kwargs):
    """The ids of the messages of the project's checks, leaving Django's own aside."""
    return sorted(m.id for m in run_checks(**kwargs) if m.id.startswith("caching."))


def with_location(settings, location):
    """Every alias on the cache server (or table, or directory) at location."""
    server = settings.CACHES["default"]["LOCATION"]
    settings.CACHES = {
        alias: {**config, "LOCATION": location} if config.get("LOCATION") == server else config
        for alias, config in settings.CACHES.items()
    }


@pytest.mark.django_db
def test_the_settings_as_they_are_pass():
    assert check_ids(databases=["default"]) == []


@pytest.mark.parametrize("timeout", ["600", 0, -1, 1.5, None, True])
def test_a_timeout_that_is_not_whole_seconds(settings, timeout):
    settings.CACHE_TIMEOUT = timeout
    assert check_ids() == ["caching.E001"]


def test_a_timeout_left_out_takes_its_default(settings):
    del settings.CACHE_TIMEOUT
    assert conf.timeout() == 600
    assert check_ids() == []
