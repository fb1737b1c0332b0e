{%- set d = derived(cookiecutter) -%}
"""System checks of the cache settings: `python manage.py check` names each mistake.

The checks of the cache backend's own settings are in caching/backend_checks.py.
https://docs.djangoproject.com/en/5.2/topics/checks/
"""

{% if d.pages -%}
from django.conf import settings
{% endif -%}
from django.core.checks import Error, Tags, register

from . import conf


def timeout_errors(name, value):
    """Django reads a timeout that is not an int as 300 seconds, or fails on every page."""
    if type(value) is int and value > 0:
        return []
    return [
        Error(
            f"{name} must be a whole number of seconds greater than 0 (got {value!r}).",
            hint=f"Set {name} to an int in config/settings.py, e.g. 600.",
            id="caching.E001",
        )
    ]


@register(Tags.caches)
def check_cache_timeout(app_configs, **kwargs):
    return timeout_errors("CACHE_TIMEOUT", conf.timeout())
{%- if d.pages %}


SHARED_PAGES = "caching.pages.SharedPagesMiddleware"


def middleware_errors(*problems):
    hint = "Keep them where config/settings.py puts them: its comments there say why."
    return [Error(problem, hint=hint, id="caching.E002") for problem in problems]


@register(Tags.caches)
def check_shared_pages_middleware(app_configs, **kwargs):
    if SHARED_PAGES in settings.MIDDLEWARE:
        return []
    return middleware_errors(
        "SharedPagesMiddleware must be in MIDDLEWARE: cached pages vary on the session "
        "cookie it names, and without it a signed-in visitor could be served an "
        "anonymous visitor's page."
    )
{%- endif %}
{%- if cookiecutter.cache_per_site %}


STORE_PAGES = "caching.pages.StoreSharedPagesMiddleware"
SERVE_PAGES = "caching.pages.ServeSharedPagesMiddleware"
NEVER_CACHE_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"
# (earlier, later, why) pairs in MIDDLEWARE. A response passes the middleware in
# reverse, so StoreSharedPagesMiddleware stores a page after the later ones changed it.
# https://docs.djangoproject.com/en/5.2/topics/cache/#order-of-middleware
VARY = "otherwise it stores pages without the Vary header that one adds"
ORDER = [
    (SHARED_PAGES, STORE_PAGES, "it names the session before a page is looked up"),
    (STORE_PAGES, NEVER_CACHE_FOR_SIGNED_IN, "otherwise it stores signed-in visitors' pages"),
    (STORE_PAGES, "django.contrib.sessions.middleware.SessionMiddleware", VARY),
    (STORE_PAGES, "django.middleware.csrf.CsrfViewMiddleware", VARY),
    (STORE_PAGES, "django.middleware.locale.LocaleMiddleware", VARY),
    (STORE_PAGES, "django.middleware.gzip.GZipMiddleware", VARY),
]


# What may come after ServeSharedPagesMiddleware, skipped for a page served from the
# cache. None changes the page an anonymous GET gets (nor its key, as LocaleMiddleware
# would), and what they add to a response is in the stored page: Vary, X-Frame-Options,
# Content-Length. A page that sets a cookie (a session, a CSRF token, messages) is
# never stored. Anything else, like SecurityMiddleware's redirect to HTTPS, must run
# for every request: before ServeSharedPagesMiddleware. (So must CommonMiddleware, if
# you set DISALLOWED_USER_AGENTS: move it up, and out of this list.)
SKIPPED_ON_A_HIT = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    NEVER_CACHE_FOR_SIGNED_IN,
}


@register(Tags.caches)
def check_per_site_cache(app_configs, **kwargs):
    """The per-site cache's lifetime, and its middleware in their places."""
    middleware = list(settings.MIDDLEWARE)
    per_site = [STORE_PAGES, SERVE_PAGES, NEVER_CACHE_FOR_SIGNED_IN]
    missing = [short(name) for name in per_site if name not in middleware]
    if len(missing) == len(per_site):
        problems = []  # Per-site caching turned off.
    elif missing:
        problems = [
            f"Per-site caching needs {' and '.join(missing)} in MIDDLEWARE too: "
            "add what is missing, or remove all three."
        ]
    else:
        at = middleware.index
        problems = [
            f"{short(earlier)} must come before {short(later)} in MIDDLEWARE: {why}."
            for earlier, later, why in ORDER
            if {earlier, later} <= set(middleware) and at(earlier) > at(later)
        ]
        problems += [
            f"{short(name)} must come before ServeSharedPagesMiddleware in MIDDLEWARE: the "
            "ones after it are skipped for every page served from the cache."
            for name in middleware[at(SERVE_PAGES) + 1 :]
            if name not in SKIPPED_ON_A_HIT
        ]
    seconds = settings.CACHE_MIDDLEWARE_SECONDS
    return timeout_errors("CACHE_MIDDLEWARE_SECONDS", seconds) + middleware_errors(*problems)


def short(name):
    return name.rsplit(".", 1)[-1]
{%- endif %}
