{%- set d = derived(cookiecutter) -%}
"""The settings the caching app defines, each read here with its default.

config/settings.py sets them; one it leaves out takes the default below. Each is
read when used, so a test's `settings` fixture or override_settings applies.
Django's own settings (CACHES, MIDDLEWARE, CACHE_MIDDLEWARE_SECONDS, ...) are read
from django.conf.settings, with the defaults Django documents.
https://docs.djangoproject.com/en/5.2/topics/settings/#using-settings-in-python-code
"""

from django.conf import settings


def timeout():
    """CACHE_TIMEOUT: how long cached pages, fragments and data live, in seconds (600)."""
    return getattr(settings, "CACHE_TIMEOUT", 600)
{%- if d.pages %}


def browser_seconds():
    """CACHE_BROWSER_SECONDS: how long a browser may show a page unasked (0: ask every visit)."""
    return getattr(settings, "CACHE_BROWSER_SECONDS", 0)


# Added to links by ads, newsletters and social sites; read by scripts, never by a view.
TRACKING_PARAMETERS = [
    *("utm_*", "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid"),
    *("twclid", "igshid", "yclid", "mc_cid", "mc_eid", "_gl"),
]


def tracking_parameters():
    """CACHE_TRACKING_PARAMETERS: query parameters dropped before the page cache looks
    (TRACKING_PARAMETERS above; "*" matches any text)."""
    return getattr(settings, "CACHE_TRACKING_PARAMETERS", TRACKING_PARAMETERS)


def page_query_parameters():
    """CACHE_PAGE_QUERY_PARAMETERS: {URL name: [query parameters its page varies on]} ({}).

    A request with any other parameter is served without the page cache.
    """
    return getattr(settings, "CACHE_PAGE_QUERY_PARAMETERS", {})
{%- endif %}
{%- if d.front_cache %}


def front_cache_urls():
    """FRONT_CACHE_URLS: base URLs of the Varnish instances told of each edit ([]: none)."""
    return getattr(settings, "FRONT_CACHE_URLS", [])


def front_cache_seconds():
    """FRONT_CACHE_SECONDS: how long Varnish may keep a page, at most (60)."""
    return getattr(settings, "FRONT_CACHE_SECONDS", 60)
{%- endif %}
