"""Varnish in front: which pages it may keep, and telling it of every edit.

Only Varnish learns how long it may keep a page: FrontCacheMiddleware gives the
pages that anonymous visitors share (the ones the page cache stores) a
`Surrogate-Control: max-age=FRONT_CACHE_SECONDS` header, and a tag header naming
what they show. varnish/default.vcl reads both and strips them; browsers and any
other cache still see `max-age=0, must-revalidate` (or CACHE_BROWSER_SECONDS).

ban(tag) tells every Varnish in FRONT_CACHE_URLS to drop the pages with that tag,
each within BAN_SECONDS, and never raises: a Varnish that does not answer costs
an editor's save that long, and is logged once, until it answers again.

https://varnish-cache.org/docs/7.1/users-guide/purging.html#bans
"""

import logging
import re
import socket
import time
from urllib.parse import urlsplit

from django.core.checks import Error, Tags, Warning, register

from caching import conf
from caching.pages import SESSION_HEADER, SESSION_META, vary_headers
from caching.requests import remembered

# What Varnish reads and strips (varnish/default.vcl): how long it may keep a
# page, and the tags of what the page shows, separated by commas.
SURROGATE_CONTROL = "Surrogate-Control"
TAGS_HEADER = "X-Cache-Tags"
# The header of a BAN request naming the tag whose pages to drop.
BAN_TAG_HEADER = "X-Ban-Tag"
TAG = re.compile(r"[a-z0-9_.-]+")
# How long one Varnish may take to answer a ban: connecting, sending, reading.
BAN_SECONDS = 0.5
# Cache-Control directives that keep a page out of every shared cache.
NOT_SHARED = re.compile(r"\b(private|no-store|no-cache)\b")

logger = logging.getLogger(__name__)
_unanswered = set()  # The Varnish URLs whose last ban failed, logged once.


def shows(tag):
    """Note that the page being built shows what tag names (its version's name)."""
    page_tags().add(tag)


def page_tags():
    """The tags of what the page being built shows (one set a request)."""
    return remembered(f"{__name__}.tags", set)


class FrontCacheMiddleware:
    """Right after SharedPagesMiddleware: lets Varnish keep the pages visitors share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if shared_with_everyone(request, response):
            response[SURROGATE_CONTROL] = f"max-age={conf.front_cache_seconds()}"
            response[TAGS_HEADER] = ",".join(sorted(page_tags()))
        return response


def shared_with_everyone(request, response):
    """A page the page cache shares between anonymous visitors, and says nothing private."""
    return (
        request.method in ("GET", "HEAD")
        and SESSION_META not in request.META  # No session cookie came with it.
        and SESSION_HEADER in vary_headers(response)  # Stored or served by the page cache.
        and response.status_code in (200, 304)
        and not response.cookies
        and not NOT_SHARED.search(response.get("Cache-Control", ""))
        # Each query string would be a page of its own: what a client sends never
        # adds entries in Varnish.
        and not request.META.get("QUERY_STRING")
    )


def ban(tag):
    """Drop every page tagged `tag` from each Varnish in FRONT_CACHE_URLS; never raises."""
    if not TAG.fullmatch(tag):
        raise ValueError(f"a tag is lowercase letters, digits, _, . and - (got {tag!r})")
    for url in conf.front_cache_urls():
        try:
            status = send_ban(url, tag)
        except OSError as error:
            problem = f"did not answer within {BAN_SECONDS} s ({error or type(error).__name__})"
        else:
            problem = None if status == 200 else f"refused the ban with status {status}"
        if problem and url not in _unanswered:
            _unanswered.add(url)
            logger.warning(
                "Varnish at %s %s: its pages stay up to FRONT_CACHE_SECONDS old", url, problem
            )
        elif not problem and url in _unanswered:
            _unanswered.discard(url)
            logger.info("Varnish at %s takes bans again", url)


def send_ban(url, tag, seconds=BAN_SECONDS):
    """The status of Varnish's answer to `BAN /` for tag; OSError after `seconds` in all."""
    address = base_url(url)
    if address is None:
        raise OSError("not an http://host:port URL (manage.py check says so too)")
    deadline = time.monotonic() + seconds
    request = (
        f"BAN / HTTP/1.1\r\nHost: {address[0]}\r\n{BAN_TAG_HEADER}: {tag}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    with socket.create_connection(address, timeout=seconds) as sock:
        sock.settimeout(remaining(deadline))
        sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            sock.settimeout(remaining(deadline))
            chunk = sock.recv(1024)
            if not chunk:
                break
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        raise OSError(f"not an HTTP answer: {answer[:40]!r}")
    return int(status_line[1])


def remaining(deadline):
    seconds = deadline - time.monotonic()
    if seconds <= 0:
        raise TimeoutError("timed out")
    return seconds


@register(Tags.caches)
def check_front_cache_urls(app_configs, **kwargs):
    """A URL the ban cannot be sent to would leave that Varnish's pages stale."""
    return [
        Error(
            f"FRONT_CACHE_URLS holds {url!r}, which is not the base URL of a Varnish.",
            hint="Use http://host:port, several separated by commas, e.g. "
            "http://127.0.0.1:6081,http://10.0.0.7:6081.",
            id="caching.E007",
        )
        for url in conf.front_cache_urls()
        if not base_url(url)
    ]


@register(Tags.caches, deploy=True)
def check_front_cache_is_told(app_configs, **kwargs):
    if conf.front_cache_urls():
        return []
    return [
        Warning(
            "FRONT_CACHE_URLS is empty: Varnish is told of no edit, so each shows "
            f"at the front up to FRONT_CACHE_SECONDS ({conf.front_cache_seconds()} s) late.",
            hint="Set FRONT_CACHE_URLS to the base URL of every Varnish in front of the "
            "site, e.g. http://127.0.0.1:6081.",
            id="caching.W003",
        )
    ]


def base_url(url):
    """(host, port) of an http:// base URL, or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 80
    except ValueError:  # A port that is not a number, or out of range.
        return None
    if parts.scheme != "http" or not parts.hostname or parts.path.strip("/") or parts.query:
        return None
    return parts.hostname, port
