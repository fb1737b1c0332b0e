{%- set d = derived(cookiecutter) -%}
"""System checks of the cache settings: `python manage.py check` names each mistake.

The checks of the chosen backend's own settings are in caching/checks.py.
https://docs.djangoproject.com/en/5.2/topics/checks/
"""

from django.conf import settings
from django.core.checks import Error, Tags, register


def timeout_errors(*names):
    """Django reads a timeout that is not an int as 300 seconds, or fails on every page."""
    return [
        Error(
            f"{name} must be a whole number of seconds greater than 0 (got {value!r}).",
            hint=f"Set {name} to an int in config/settings.py, e.g. 600.",
            id="recipes.E001",
        )
        for name, value in [(name, getattr(settings, name, None)) for name in names]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0
    ]


@register(Tags.caches)
def check_cache_timeout(app_configs, **kwargs):
    return timeout_errors("CACHE_TIMEOUT")
{%- if d.pages %}


SHARED_PAGES = "caching.pages.SharedPagesMiddleware"


def middleware_error(message):
    return Error(
        message,
        hint="Keep the page-cache middleware where config/settings.py has them, "
        "and read the comments there on why.",
        id="recipes.E002",
    )


@register(Tags.caches)
def check_shared_pages_middleware(app_configs, **kwargs):
    if SHARED_PAGES in settings.MIDDLEWARE:
        return []
    message = (
        "SharedPagesMiddleware must be in MIDDLEWARE: cached pages vary on the session "
        "cookie it names, and without it a signed-in visitor could be served an "
        "anonymous visitor's page."
    )
    return [middleware_error(message)]
{%- endif %}
{%- if cookiecutter.cache_per_site %}


UPDATE_CACHE = "caching.pages.UpdateCacheMiddleware"
FETCH_FROM_CACHE = "caching.pages.FetchFromCacheMiddleware"
NEVER_CACHE_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"
# Middleware that add to the Vary header or set cookies on the way out. The page
# UpdateCacheMiddleware stores must carry their changes, so it comes before them.
# https://docs.djangoproject.com/en/5.2/topics/cache/#order-of-middleware
CHANGES_VARY = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
]


@register(Tags.caches)
def check_per_site_cache(app_configs, **kwargs):
    """The per-site cache's lifetime, and its middleware where they must be."""
    errors = timeout_errors("CACHE_MIDDLEWARE_SECONDS")
    middleware = list(settings.MIDDLEWARE)
    per_site = [UPDATE_CACHE, FETCH_FROM_CACHE, NEVER_CACHE_FOR_SIGNED_IN]
    missing = [name.rsplit(".", 1)[-1] for name in per_site if name not in middleware]
    if len(missing) == len(per_site):
        return errors  # Per-site caching turned off.
    if missing:
        message = (
            f"Per-site caching needs {', '.join(missing)} in MIDDLEWARE too: "
            "add the missing ones, or remove all three."
        )
        return [*errors, middleware_error(message)]
    update = middleware.index(UPDATE_CACHE)
    before, after = middleware[:update], middleware[update + 1 :]
    changes_vary = [name.rsplit(".", 1)[-1] for name in CHANGES_VARY if name in before]
    after_fetch = middleware[middleware.index(FETCH_FROM_CACHE) + 1 :]
    rules = [
        (
            SHARED_PAGES in after,
            "SharedPagesMiddleware must come before UpdateCacheMiddleware in MIDDLEWARE: it "
            "names the session before a page is looked up, and rewrites what browsers are "
            "told after the page is stored.",
        ),
        (
            changes_vary,
            f"UpdateCacheMiddleware must come before {', '.join(changes_vary)} in MIDDLEWARE: "
            "it would store pages without the Vary header they add, and serve one visitor's "
            "page to another.",
        ),
        (
            set(after_fetch) - {NEVER_CACHE_FOR_SIGNED_IN},
            "FetchFromCacheMiddleware must be last in MIDDLEWARE, but for "
            "NeverCacheForSignedInMiddleware: the middleware after it are skipped for every "
            "page served from the cache.",
        ),
        (
            NEVER_CACHE_FOR_SIGNED_IN in before,
            "NeverCacheForSignedInMiddleware must come after UpdateCacheMiddleware in "
            "MIDDLEWARE: without it, pages of signed-in visitors are cached and shown to others.",
        ),
    ]
    return [*errors, *(middleware_error(message) for broken, message in rules if broken)]
{%- endif %}
