"""The cache is Django's file cache, in the directory CACHE_DIR names."""

from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.checks import run_checks

from caching.file_cache import MissOnErrorFileBasedCache
from tests.cache_server import unreachable_location
from tests.test_checks import check_ids, with_location


def test_an_entry_lands_in_the_cache_directory(settings):
    assert isinstance(caches["default"], MissOnErrorFileBasedCache)
    directory = Path(settings.CACHES["default"]["LOCATION"])
    before = set(directory.glob("*.djcache"))
    cache.set("probe", "hello")
    assert len(set(directory.glob("*.djcache")) - before) == 1
    assert cache.get("probe") == "hello"


@pytest.mark.parametrize("root", ["STATIC_ROOT", "MEDIA_ROOT"])
def test_a_cache_directory_the_web_server_serves(settings, tmp_path, root):
    setattr(settings, root, str(tmp_path))
    with_location(settings, str(tmp_path / "cache"))
    assert check_ids() == ["caching.E005"]


def test_a_cache_directory_that_cannot_be_created(settings, tmp_path):
    with_location(settings, unreachable_location(tmp_path))
    messages = [message for message in run_checks() if message.id == "caching.E006"]
    assert len(messages) == 1
    assert str(tmp_path / "a-file" / "cache") in messages[0].msg
