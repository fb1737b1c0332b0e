{%- set d = derived(cookiecutter) -%}
"""What goes stale when: a version per kind of data, in every key cached from it.

A Version is a random token kept in the cache (caching/version_store.py) and
replaced after every committed write to one of its models. Every entry cached
from those models carries it in its key, so replacing it makes each older entry
unreachable at once, in every process that shares the cache, without hunting
down keys or flushing the server; old entries expire on their own.

A second kind of cached data takes a few lines in its app, e.g. blog/caching.py,
imported by BlogConfig.ready() (tests/test_versions.py does this for auth's Group):

    from django.core.cache import cache

    from caching.versions import Version

    from .models import Comment, Post

    POSTS = Version("posts", models=[Post, Comment])

    def cached_posts():
        key = f"posts:list:{POSTS.current()}"
        return cache.get_or_set(key, lambda: list(Post.objects.all()), 600)

A write that sends no signals (QuerySet.update(), bulk_create(), raw SQL) calls
POSTS.bump() itself, after it commits. The token is kept under "posts:version".
"""

import logging
import secrets
import threading

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

{% if d.front_cache -%}
from . import front_cache
{% endif -%}
{% if d.shared -%}
from .health import cache_works_again
{% endif -%}
from .requests import remember, remembered
from .version_store import VersionStore

logger = logging.getLogger(__name__)


class Version:
    """The token that changes after every committed write to `models`, read once a request."""

    def __init__(self, name, models=()):
        self.name = name
        self.key = f"{name}:version"
        self.store = VersionStore(self.key)
        # Set while this process could not store a new version after an edit:
        # until a version is stored, its requests miss, and each tries again.
        self.unstored = threading.Event()
        self._unstored_lock = threading.Lock()
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(self._after_write, sender=model, weak=False, dispatch_uid=self.key)
{%- if d.shared %}
        # A write made while the cache failed could not replace the version, and a
        # server that was only out of reach still holds the entries from before it.
        cache_works_again.connect(self._after_outage, weak=False, dispatch_uid=self.key)
{%- endif %}

    def __repr__(self):
        return f"Version({self.name!r})"

    def current(self):
        """The token to put in the keys of what is cached from the models, read once a request."""
{%- if d.front_cache %}
        front_cache.shows(self.name)  # The page being built shows them: Varnish tags it.
{%- endif %}
        return remembered(self.key, self._stored_or_new)

    def bump(self):
        """Make every entry cached under this version stale, everywhere.

        Runs by itself after one of the models is saved or deleted, once the
        transaction commits. Writes that send no signals (QuerySet.update(),
        bulk_create(), bulk_update(), raw SQL) must call it themselves, after they commit.
        """
        remember(self.key, self._replace())
{%- if d.front_cache %}
        # Then Varnish drops every page that shows them (at most 0.5 s per Varnish).
        front_cache.ban(self.name)
{%- endif %}

    def make_key(self, key, key_prefix, version):
        """A cache's KEY_FUNCTION that puts this version in each key (Django's make_key, plus it).

        What is stored under such a key never changes, so each process may keep a
        copy of it (caching/local_copy.py).
        https://docs.djangoproject.com/en/5.2/ref/settings/#std-setting-CACHES-KEY_FUNCTION
        """
        return f"{key_prefix}:{version}:{self.current()}:{key}"

    def _stored_or_new(self):
        if self.unstored.is_set():
            return self._replace()
        version = self.store.read()
        if version is None:
            # First use, evicted, or dropped after an edit: any new token is safe,
            # as no entry carries it yet.
            cache.add(self.key, secrets.token_hex(8), timeout=None)
            # Still None when the cache fails or is full: a fresh token means a miss.
            version = self.store.read() or secrets.token_hex(8)
        return version

    def _replace(self):
        """Store a new version, and return it; if it cannot be stored, never serve the old one.

        The old version is deleted instead, which a full cache still allows: every
        process then misses until a version is stored. This one misses anyway, and
        tries to store a new version on each request until that works.
        """
        version = secrets.token_hex(8)
        try:
            self.store.store(version)
        except Exception as error:  # Whatever failed, the old version must go.
            dropped = self.store.drop()
            with self._unstored_lock:
                first = not self.unstored.is_set()
                self.unstored.set()
            if first:  # One line per episode, however many requests try again.
                cause = str(getattr(error, "__cause__", None) or error).strip()
                logger.error(
                    "The %s changed, but the cache did not store the new %s version (%s): "
                    "%s until it does.",
                    self.name,
                    self.name,
                    cause or type(error).__name__,
                    "every process builds its pages without the cache"
                    if dropped
                    else "the old version could not be deleted either, so other processes "
                    "may serve pages from before the change",
                )
            return secrets.token_hex(8)
        with self._unstored_lock:
            ended = self.unstored.is_set()
            self.unstored.clear()
        if ended:
            logger.warning("The cache stored a new %s version: pages are cached again.", self.name)
        return version

    def _after_write(self, sender, using, **kwargs):
        # After commit: a rolled-back write leaves the cache alone, and no reader
        # can cache the old rows under the new version.
        transaction.on_commit(self.bump, using=using)
{%- if d.shared %}

    def _after_outage(self, **kwargs):
        self._replace()
{%- endif %}
