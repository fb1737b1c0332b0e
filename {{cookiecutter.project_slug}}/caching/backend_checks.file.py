"""System checks of CACHE_DIR: `python manage.py check` says what is wrong with it.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.caches)
def check_cache_directory(app_configs, **kwargs):
    """The file cache directory is writable, and out of the web server's reach.

    Django's own checks warn about a relative path, and under --deploy about a
    directory inside STATIC_ROOT or MEDIA_ROOT; this refuses the latter always.
    """
    errors = []
    configs = settings.CACHES.values()
    locations = [c["LOCATION"] for c in configs if c["BACKEND"].endswith("FileBasedCache")]
    for location in dict.fromkeys(locations):  # Each directory once.
        directory = Path(location)
        for name in ["STATIC_ROOT", "MEDIA_ROOT"]:
            root = getattr(settings, name, None)
            if root and directory.resolve().is_relative_to(Path(root).resolve()):
                errors.append(
                    Error(
                        f"The cache directory {location!r} is inside {name} ({root}): a web "
                        "server would hand the cached pages to anyone who asks.",
                        hint=f"Set CACHE_DIR to a directory outside {name}.",
                        id="caching.E005",
                    )
                )
        problem = why_not_writable(directory)
        if problem:
            errors.append(
                Error(
                    f"The cache directory {location!r} {problem}, so nothing can be cached.",
                    hint="Make it writable by the user running the site, or set CACHE_DIR.",
                    id="caching.E006",
                )
            )
    return errors


def why_not_writable(directory):
    """What keeps the site from writing files in directory, or None.

    A missing directory is fine if it can be created: the cache creates it.
    """
    existing = directory
    try:
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            return f"cannot be created ({existing} is a file)"
        with tempfile.TemporaryFile(dir=existing):
            return None
    except OSError as error:
        state = "is not writable" if existing == directory else "cannot be created"
        return f"{state} ({error.strerror or error})"
