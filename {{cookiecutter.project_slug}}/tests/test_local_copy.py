"""Each process keeps a copy of the versioned entries it has read (caching/local_copy.py).

Pages, their header entries and fragments are stored under keys that carry the
recipes version, so what is stored under a key never changes: an entry this
process has read before is served from its own memory.
"""

import pickle
import time

import pytest
from django.core.cache import caches

from caching.local_copy import Sealed
from recipes.caching import recipes_version

pytestmark = pytest.mark.django_db
ONE_KB = "x" * 1000


@pytest.fixture
def pages():
    return caches["pages"]


@pytest.fixture
def small_copy(settings):
    """The pages cache, with room in its local copy for three entries of 1 kB."""
    entry_bytes = len(pickle.dumps(ONE_KB, pickle.HIGHEST_PROTOCOL)) + 300
    pages = {**settings.CACHES["pages"], "OPTIONS": {"MAX_BYTES": 3 * entry_bytes}}
    settings.CACHES = {**settings.CACHES, "pages": pages}
    return caches["pages"]


def copied(pages, key):
    return pages.shared.make_key(key) in pages.local_copy


def test_the_copy_is_bounded_by_bytes(small_copy):
    for number in range(10):
        small_copy.set(f"entry-{number}", ONE_KB)
    assert len(small_copy.local_copy) == 3
    assert small_copy.local_copy.bytes <= small_copy.max_bytes
    # What is not copied any more is still in the shared cache.
    assert all(small_copy.get(f"entry-{number}") == ONE_KB for number in range(10))


def test_the_least_recently_used_entry_goes_first(small_copy):
    for name in ("a", "b", "c"):
        small_copy.set(name, ONE_KB)
    small_copy.get("a")  # Read: now the most recently used.
    small_copy.set("d", ONE_KB)
    assert [name for name in "abcd" if copied(small_copy, name)] == ["a", "c", "d"]


def test_a_copy_never_outlives_its_entry(pages):
    pages.set("short-lived", "soon gone", timeout=1)
    assert copied(pages, "short-lived")
    time.sleep(1.1)
    assert pages.get("short-lived") is None
    assert not copied(pages, "short-lived")


def test_a_copy_keeps_the_expiry_another_process_stored(pages):
    # Stored by another process 50 s ago with a timeout of 60 s: 10 s left, not 60.
    expires_at = time.time() + 10
    pages.shared.set("theirs", Sealed(expires_at, pickle.dumps("their page")), 10)
    assert pages.get("theirs") == "their page"
    assert pages.local_copy.get(pages.shared.make_key("theirs")).expires_at == expires_at


def test_each_hit_gets_an_object_of_its_own(pages):
    pages.set("a-list", [1])
    pages.get("a-list").append(2)  # As Django's middleware changes the responses it serves.
    assert pages.get("a-list") == [1]


def test_a_stored_none_is_none_not_a_miss(pages):
    pages.set("nothing", None)
    assert pages.get("nothing", "missing") is None
    assert pages.get("nothing", "missing") is None  # From the local copy this time.
    assert pages.get_many(["nothing", "absent"]) == {"nothing": None}


def test_a_delete_is_seen_at_once(pages):
    pages.set("page", "old")
    pages.delete("page")
    assert pages.get("page") is None


def test_a_lock_taken_with_add_is_never_copied(pages):
    assert pages.add("lock", "taken", 5)
    assert pages.get("lock") == "taken"
    assert not copied(pages, "lock")
    pages.shared.delete("lock")  # Released by the process that took it.
    assert pages.get("lock") is None


def test_only_entries_under_the_recipes_version_are_copied(client, recipes):
    caches["default"].set("unversioned", "not copied")
    caches["pages"].local_copy.clear()
    client.get("/recipes/")
    client.get(f"/recipes/{recipes[0].pk}/")
    keys = caches["pages"].local_copy.keys()
    assert keys, "nothing was copied"
    assert all(recipes_version() in key for key in keys), keys


def test_a_change_made_elsewhere_is_not_seen_by_the_copy(pages):
    # Entries under a versioned key never change, so nothing else ever does this:
    # another alias, or another process, replacing or deleting an entry.
    pages.set("page", "as first stored")
    pages.shared.set("page", Sealed(None, pickle.dumps("replaced elsewhere")))
    assert pages.get("page") == "as first stored"
    caches["shared_pages"].delete("page")
    assert pages.get("page") == "as first stored"


def test_an_entry_the_store_dropped_is_still_served_from_the_copy(pages):
    # As when the cache server evicts it, or culls it to make room.
    pages.set("page", "copied")
    pages.shared.delete("page")
    assert pages.get("page") == "copied"
    pages.local_copy.clear()  # As when it leaves the copy: a miss now.
    assert pages.get("page") is None


def test_many_at_once_are_copied_and_deleted(pages):
    pages.set_many({"a": 1, "b": 2})
    pages.local_copy.clear()
    assert pages.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert copied(pages, "a") and copied(pages, "b")
    pages.delete_many(["a", "b"])
    assert pages.get_many(["a", "b"]) == {}


def test_incr_version_finds_the_entry_under_the_version_it_was_stored_with(settings):
    # This alias's keys, timeout and VERSION are the ones of the alias it wraps.
    shared = {**settings.CACHES["shared_pages"], "VERSION": 3}
    settings.CACHES = {**settings.CACHES, "shared_pages": shared}
    pages = caches["pages"]
    pages.set("page", "body")
    assert pages.incr_version("page") == 4
    assert pages.get("page", version=4) == "body"
    assert pages.get("page") is None
    assert pages.decr_version("page", version=4) == 3
    assert pages.get("page") == "body"
