"""The code version every cache key carries (see CACHE_KEY_PREFIX in settings)."""

import hashlib

import django


def code_version(base_dir):
    """A short hash of Django's version and of this site's code and templates.

    It is part of every cache key, so a new release (or a Django upgrade) never
    unpickles objects or pages that an older release stored: they are left to
    expire. Every process running the same code computes the same value.
    """
    digest = hashlib.sha256(django.get_version().encode())
    sources = [
        path
        for folder in ("caching", "config", "recipes", "templates")
        for path in (base_dir / folder).rglob("*")
        if path.suffix in {".py", ".html"}
    ]
    for path in sorted(sources):
        digest.update(path.relative_to(base_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]
