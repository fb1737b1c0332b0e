{%- set per_site = cookiecutter.cache_per_site -%}
{%- set per_view = cookiecutter.cache_per_view -%}
"""Whole pages, cached for anonymous visitors, shared whatever cookies they carry.

Django's cache middleware and cache_page do the caching; this module decides what
they may share (pages keyed on the session cookie alone, never a signed-in
visitor's page, nor one holding a CSRF token or setting a cookie), what browsers
are told (check back on every visit, CACHE_BROWSER_SECONDS), and that on a miss
one request renders the page while the others wait for it.

What a client sends adds no entry: tracking parameters are dropped and the host
name made canonical before the page cache sees the request, and a request with a
session cookie, or a query parameter its page does not vary on, is served
without the page cache (CACHE_TRACKING_PARAMETERS, CACHE_PAGE_QUERY_PARAMETERS).

https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache
"""

import hashlib
import re
import time
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, unquote_plus, urlencode

from django.conf import settings
from django.http.request import split_domain_port
from django.middleware import cache as cache_middleware
from django.urls import Resolver404, resolve
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


def drop_tracking_parameters(request):
    """Remove from the query string the parameters no view reads (and empty ones).

    Done before anything reads request.GET, so visitors from a tracking link share
    the page of those without; the browser keeps the parameters for scripts.
    """
    parts = request.META.get("QUERY_STRING", "").split("&")
    kept = [part for part in parts if part and not is_tracking(part.split("=", 1)[0])]
    if len(kept) < len(parts):
        request.META["QUERY_STRING"] = "&".join(kept)


def is_tracking(name):
    name = unquote_plus(name)
    return any(fnmatchcase(name, pattern) for pattern in conf.tracking_parameters())


def canonical_host(request):
    """Host as ALLOWED_HOSTS reads it: lowercase, no trailing dot, no port but the server's own.

    Django keys pages on the URL with its host, and lets any port or spelling of
    an allowed host through. split_domain_port() is what Django 5.2's get_host()
    validates with (tests/test_page_entries.py fails if it changes). Under gunicorn
    on a unix socket SERVER_PORT comes from Host itself: bind it to a TCP port.
    Only for GET and HEAD, the methods pages are cached for: a form's CSRF check
    compares the Origin with the host as the browser sent it.
    """
    # What the client sent (request.headers keeps it); get_host() reads META.
    domain, port = split_domain_port(request.headers.get("host", ""))
    if not domain or request.method not in ("GET", "HEAD"):
        return  # No host, or none Django allows (it answers 400): nothing is stored.
    if port and port == request.META.get("SERVER_PORT") and port not in ("80", "443"):
        domain = f"{domain}:{port}"
    request.META["HTTP_HOST"] = domain


def shared_page_request(request):
    """Whether the page cache may look this request's page up and store it.

    Not with a session cookie: a page for one visitor's session is not shared,
    and a made-up cookie would make an entry each. Not with a query parameter
    its page does not vary on (CACHE_PAGE_QUERY_PARAMETERS, by URL name), given
    twice, or spelt otherwise than urlencode() spells it: each spelling would be
    an entry of its own. Such requests are served as if pages were not cached.
    """
    if SESSION_META in request.META:
        return False
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    try:
        view_name = resolve(request.path_info, getattr(request, "urlconf", None)).view_name
    except Resolver404:
        return False
    varies_on = conf.page_query_parameters().get(view_name, ())
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    return (
        urlencode(pairs) == query
        and len(set(names)) == len(names)
        and all(name in varies_on for name in names)
    )


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
        drop_tracking_parameters(request)
        canonical_host(request)
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


def release_render_lock(request, cache, key_prefix):
    """Let go of the render lock this request took for its page, if it holds one."""
    locks = getattr(request, "page_render_locks", None)
    if locks and (lock := render_lock(request, key_prefix)) in locks:
        locks.remove(lock)
        cache.delete(lock)


class OneRenderAtATime:
    """On a miss, one request renders the page; the others wait a second at most for it.

    The lock is an add() on the pages cache: atomic on Redis, memcached and the
    database table, so it holds across processes. A cache that fails holds no
    lock: everyone renders, as without this.
    """

    def process_request(self, request):
        if hasattr(request, "page_cache_key_prefix"):
            return None  # A page cache around this one has it: a page is stored once.
        request.page_cache_key_prefix = self.key_prefix
        if not shared_page_request(request):
            # Neither looked up nor stored: Django's middleware stores only the
            # responses to requests it looked up (`_cache_update_cache`).
            return None
        response = super().process_request(request)
        if response is not None or request.method not in ("GET", "HEAD"):
            return response
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

    def process_exception(self, request, exception):
        """A view that raised (Http404 too) lets go of its lock at once.

        cache_page calls this instead of process_response when the view raises
        (make_middleware_decorator in django/utils/decorators.py), so a missing
        page costs what a 404 costs. The lock outlives its render only if the
        process dies mid-render, and then for RENDER_LOCK_SECONDS at most.
        """
        release_render_lock(request, self.cache, self.key_prefix)


class StoreSharedPages:
    """Stores pages keyed on the session cookie alone, then lets the waiting requests in."""

    def process_response(self, request, response):
        if getattr(request, "page_cache_key_prefix", None) != self.key_prefix:
            return response  # Another page cache stores it, or none looked it up.
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
        try:
            return super().process_response(request, response)
        finally:  # Stored (or not): the waiting requests may look again.
            release_render_lock(request, self.cache, self.key_prefix)
{%- if per_site %}


class StoreSharedPagesMiddleware(StoreSharedPages, cache_middleware.UpdateCacheMiddleware):
    """Django's, storing pages that anonymous visitors share."""


class ServeSharedPagesMiddleware(OneRenderAtATime, cache_middleware.FetchFromCacheMiddleware):
    """Django's, with one render per missing page."""


class NeverCacheForSignedInMiddleware:
    """Last in MIDDLEWARE: sees the pages being built, never the ones served from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return keep_private(request, self.get_response(request))
{%- endif %}
{%- if per_view %}


class SharedPagesCacheMiddleware(
    OneRenderAtATime, StoreSharedPages, cache_middleware.CacheMiddleware
):
    """What cache_page uses, with both of the above, storing no page for one visitor."""

    def process_response(self, request, response):
        return super().process_response(request, keep_private(request, response))


def cache_page_for_anonymous(view):
    """cache_page for pages that anonymous visitors share, in the "pages" cache."""
    cache_page = decorator_from_middleware_with_args(SharedPagesCacheMiddleware)
    return cache_page(page_timeout=conf.timeout(), cache_alias="pages", key_prefix="")(view)
{%- endif %}
