from django.apps import AppConfig


class CachingConfig(AppConfig):
    """The site's cache layer: its backends, page caching and system checks.

    It serves the other apps and imports none of them (the import contract in
    pyproject.toml, run by `lint-imports`); its settings and their defaults are in
    caching/conf.py.
    """

    name = "caching"
    verbose_name = "Caching"

    def ready(self):
        # Imported for the system checks they register: the cache settings, and
        # the chosen backend's own.
        from . import backend_checks, checks  # noqa: F401
