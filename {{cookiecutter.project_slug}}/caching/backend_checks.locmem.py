"""System checks of the local-memory cache: `python manage.py check` warns of several processes.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register

from . import conf


@register(Tags.caches)
def check_local_memory_with_one_process(app_configs, **kwargs):
    """Local memory is per process: what one process clears, the others still hold.

    gunicorn reads its number of workers from WEB_CONCURRENCY (gunicorn.conf.py).
    """
    processes = os.environ.get("WEB_CONCURRENCY", "").strip()
    backends = [config["BACKEND"] for config in settings.CACHES.values()]
    local_memory = any(backend.endswith(".LocMemCache") for backend in backends)
    if not local_memory or not processes.isdigit() or int(processes) < 2:
        return []
    return [
        Warning(
            f"Local-memory caching with WEB_CONCURRENCY={processes}: each process has a "
            "cache of its own, so after an edit the others keep what they cached before "
            f"for up to {conf.timeout()} seconds.",
            hint="Use Redis or memcached with several processes, or run one.",
            id="caching.W002",
        )
    ]
