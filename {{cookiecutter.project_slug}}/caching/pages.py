{%- set per_site = cookiecutter.cache_per_site -%}
{%- set per_view = cookiecutter.cache_per_view -%}
"""Whole pages, cached for anonymous visitors, shared whatever cookies they carry.

Django's cache middleware and cache_page do the caching; this module decides what
they may share (pages keyed on the session cookie alone, never a signed-in
visitor's page, nor one holding a CSRF token or setting a cookie), what browsers
are told (check back on every visit, CACHE_BROWSER_SECONDS), and that on a miss
one request renders the page while the others wait for it.

https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache
"""

import hashlib
import re
import time

from django.conf import settings
from django.middleware import cache as cache_middleware
from django.utils.cache import add_never_cache_headers, patch_cache_control
{%- if per_view %}
from django.utils.decorators import decorator_from_middleware_with_args
{%- endif %}

from . import conf

# What stored pages vary on instead of Cookie: SharedPagesMiddleware sets it on
# every request from the session cookie, whatever the client sent.
SESSION_HEADER = "X-Session-Cookie"
SESSION_META = "HTTP_X_SESSION_COOKIE"
# How long a render may hold its lock, and how long the others wait for it.
RENDER_LOCK_SECONDS = 5
WAIT_FOR_RENDER_SECONDS = 1.0
POLL_SECONDS = 0.05


def vary_headers(response):
    return [name for name in re.split(r"\s*,\s*", response.get("Vary", "")) if name]


class SharedPagesMiddleware:
    """Keys pages on the session cookie, and tells browsers to check back every visit.

    First in MIDDLEWARE but for RequestMemoMiddleware: it must name the session
    before the page cache looks a page up, and rewrite what browsers are told
    after the page cache has stored its copy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop(SESSION_META, None)  # Whatever the client sent.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.META[SESSION_META] = request.COOKIES[settings.SESSION_COOKIE_NAME]
        response = self.get_response(request)
        vary = vary_headers(response)
        if SESSION_HEADER in vary:  # A page the page cache stored or served.
            vary = ("Cookie" if name == SESSION_HEADER else name for name in vary)
            response["Vary"] = ", ".join(dict.fromkeys(vary))
            response.headers.pop("Expires", None)
            patch_cache_control(response, max_age=conf.browser_seconds(), must_revalidate=True)
        return response


def keep_private(request, response):
    """Mark a page that belongs to one visitor private: no shared cache stores it.

    Signed-in visitors' pages carry their name. A page that rendered a CSRF token
    holds that visitor's token: Django 5.2's get_token() sets
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] (django/middleware/csrf.py), and
    tests/test_shared_pages.py fails if it stops doing so.
    """
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.user.is_authenticated:
        add_never_cache_headers(response)
    return response


def render_lock(request, key_prefix):
    url = hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False)
    return f"rendering.{key_prefix}.{url.hexdigest()}"


class OneRenderAtATime:
    """On a miss, one request renders the page; the others wait a second at most for it.

    The lock is an add() on the pages cache: atomic on Redis, memcached and the
    database table, so it holds across processes. A cache that fails holds no
    lock: everyone renders, as without this.
    """

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None or request.method not in ("GET", "HEAD"):
            return response
        if SESSION_META in request.META:
            return None  # A page for one visitor's session: no crowd shares it.
        lock = render_lock(request, self.key_prefix)
        if not self.cache.add(lock, "rendering", RENDER_LOCK_SECONDS):
            deadline = time.monotonic() + WAIT_FOR_RENDER_SECONDS
            while self.cache.get(lock) is not None and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
            return super().process_request(request)
        # Another render may have stored the page and let go of its lock between
        # the miss above and this add(): look once more.
        response = super().process_request(request)
        if response is None:
            request.page_render_locks = [*getattr(request, "page_render_locks", []), lock]
        else:
            self.cache.delete(lock)
        return response


class StoreSharedPages:
    """Stores pages keyed on the session cookie alone, then lets the waiting requests in."""

    def process_response(self, request, response):
        if response.cookies:
            patch_cache_control(response, private=True)
        elif response.status_code == 200 and not response.streaming:  # What may be stored.
            vary = [name for name in vary_headers(response) if name.lower() != "cookie"]
            response["Vary"] = ", ".join(dict.fromkeys([*vary, SESSION_HEADER]))
            stored = "no-store" not in response.get("Cache-Control", "")
            if stored and not response.has_header("ETag"):
                # ConditionalGetMiddleware's ETag, computed once and stored with the
                # page, instead of on every hit.
                digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
                response["ETag"] = f'"{digest}"'
        response = super().process_response(request, response)
        locks = getattr(request, "page_render_locks", None)
        if locks and (lock := render_lock(request, self.key_prefix)) in locks:
            self.cache.delete(lock)
        return response
{%- if per_site %}


class UpdateCacheMiddleware(StoreSharedPages, cache_middleware.UpdateCacheMiddleware):
    """Django's, storing pages that anonymous visitors share."""


class FetchFromCacheMiddleware(OneRenderAtATime, cache_middleware.FetchFromCacheMiddleware):
    """Django's, with one render per missing page."""


class NeverCacheForSignedInMiddleware:
    """Last in MIDDLEWARE: sees the pages being built, never the ones served from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return keep_private(request, self.get_response(request))
{%- endif %}
{%- if per_view %}


class CacheMiddleware(OneRenderAtATime, StoreSharedPages, cache_middleware.CacheMiddleware):
    """What cache_page uses, with both of the above, storing no page for one visitor."""

    def process_response(self, request, response):
        return super().process_response(request, keep_private(request, response))


def cache_page_for_anonymous(view):
    """cache_page for pages that anonymous visitors share, in the pages cache (caching/conf.py)."""
    cache_page = decorator_from_middleware_with_args(CacheMiddleware)
    timeout, alias = conf.timeout(), conf.pages_alias()
    return cache_page(page_timeout=timeout, cache_alias=alias, key_prefix="")(view)
{%- endif %}
