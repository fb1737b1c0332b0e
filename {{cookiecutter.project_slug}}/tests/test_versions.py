"""A second kind of cached data takes a few lines in one place: a Version over auth's Group.

The lines below, from GROUPS to cached_group_names(), are all an app needs
(caching/versions.py shows the same for a blog).
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction

from caching.versions import Version
from recipes.caching import RECIPES

GROUPS = Version("groups", models=[Group])


def cached_group_names(load):
    key = f"groups:names:{GROUPS.current()}"
    return cache.get_or_set(key, load, 600)


pytestmark = pytest.mark.django_db(transaction=True)


class Loads:
    """The group names from the database, counting how often they are read there."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return sorted(Group.objects.values_list("name", flat=True))


class Rollback(Exception):
    pass


def test_a_committed_write_makes_the_entry_stale_everywhere_and_leaves_recipes_alone():
    loads = Loads()
    recipes_version = RECIPES.current()
    assert cached_group_names(loads) == cached_group_names(loads) == []
    assert loads.count == 1
    # What every process reads: the version kept in the shared cache.
    before = cache.get(GROUPS.key)
    assert before is not None

    Group.objects.create(name="editors")

    after = cache.get(GROUPS.key)
    assert after not in (None, before)
    assert GROUPS.current() == after
    assert cached_group_names(loads) == ["editors"]
    assert loads.count == 2, "the entry under the old version was read"
    assert cache.get(RECIPES.key) == RECIPES.current() == recipes_version


def test_a_rolled_back_write_changes_nothing():
    loads = Loads()
    assert cached_group_names(loads) == []
    before = cache.get(GROUPS.key)

    with pytest.raises(Rollback), transaction.atomic():
        Group.objects.create(name="never")
        raise Rollback

    assert cache.get(GROUPS.key) == before
    assert cached_group_names(loads) == []
    assert loads.count == 1
