"""Caches under a key prefix of their own, and the removal of every entry they made.

The tests and `manage.py cachebench` run against the developer's real cache
server, which may hold other data: they must never flush it, and must leave
nothing behind. Not every backend can list its keys (memcached cannot), so each
key is recorded as it is made, through KEY_FUNCTION, the documented hook that
turns a key into the one stored, and deleted at the end.
https://docs.djangoproject.com/en/5.2/topics/cache/#cache-key-transformation
"""

from collections import defaultdict

from django.utils.module_loading import import_string


def default_key_function(key, key_prefix, version):
    """Django's own key function, as its documentation spells it out."""
    return f"{key_prefix}:{version}:{key}"


def stored_key(key, key_prefix, version):
    """The key as it was stored: for deleting recorded keys."""
    return key


class IsolatedCaches:
    def __init__(self, caches_setting, label):
        self.caches_setting = caches_setting
        self.label = label
        self.made = defaultdict(set)  # alias -> keys as stored

    def settings(self, suffix=""):
        """The CACHES setting to use: prefix `<KEY_PREFIX>-<label><suffix>`, keys recorded."""
        return {
            alias: {
                **config,
                "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{self.label}{suffix}",
                "KEY_FUNCTION": self.recording(alias, config.get("KEY_FUNCTION")),
            }
            for alias, config in self.caches_setting.items()
        }

    def recording(self, alias, key_function):
        if isinstance(key_function, str):
            key_function = import_string(key_function)
        make_key = key_function or default_key_function

        def recording_key_function(key, key_prefix, version):
            made = make_key(key, key_prefix, version)
            self.made[alias].add(made)
            return made

        return recording_key_function

    def stored(self, key_prefix):
        """The keys made through settings() under key_prefix that the cache holds now.

        Every alias stores where "default" does (its LOCATION), so its cache can tell.
        """
        made = {key for keys in self.made.values() for key in keys}
        mine = sorted(key for key in made if key.startswith(f"{key_prefix}:"))
        cache = self.as_stored("default")
        try:
            return set(cache.get_many(mine))
        finally:
            cache.close()

    def delete_entries(self):
        """Delete every entry made through settings(), on the servers they were made for.

        Through a cache object of its own per alias (as_stored()).
        """
        for alias, keys in self.made.items():
            cache = self.as_stored(alias)
            try:
                cache.delete_many(sorted(keys))
            finally:
                cache.close()
        self.made.clear()

    def as_stored(self, alias):
        """alias's cache object, made as Django makes one, whose keys are used as stored."""
        params = {**self.caches_setting[alias], "KEY_FUNCTION": stored_key}
        backend = import_string(params.pop("BACKEND"))
        return backend(params.pop("LOCATION", ""), params)
