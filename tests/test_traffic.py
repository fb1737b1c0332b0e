"""Real traffic against the baked site: visitors with cookies, and crowds after an edit.

Served by gunicorn over loopback HTTP, cached on a real redis-server or memcached
of the test's own, so that what the tests count there (pages stored, page
writes) is the site's doing alone. Counts are of cache entries and commands,
never of time.
"""

import random
import socket
import string
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager

import pytest
from redis import Redis

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    answers_id,
    gunicorn,
    junk_request,
    run,
)

pytestmark = pytest.mark.slow

# What Django names a stored page (django/utils/cache.py); its header entries are
# "cache_header" and do not match.
PAGE_MARK = "cache_page"
PAGES = ["/recipes/", "/recipes/1/"]


def fetch(url, cookie=None, headers=None):
    """(status, headers, body) of one GET, whatever the status."""
    headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def stored_pages(backend, server):
    """The keys of the pages the cache server holds now."""
    if backend == "redis":
        with Redis(host="127.0.0.1", port=server.port) as redis:
            return {key.decode() for key in redis.scan_iter(match=f"*{PAGE_MARK}*", count=1000)}
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(b"lru_crawler metadump all\r\n")
        reply = b""
        while not reply.endswith(b"END\r\n"):
            chunk = connection.recv(65536)
            assert chunk, f"memcached closed the connection during metadump: {reply[-200:]!r}"
            reply += chunk
    keys = (line.split(" ", 1)[0].removeprefix("key=") for line in reply.decode().splitlines())
    return {key for key in keys if PAGE_MARK in key}


def visitor_cookie(number, with_csrf_token):
    """What an anonymous browser carries: analytics and theme cookies, maybe a CSRF token.

    The token is well formed (32 letters and digits, as Django makes them), as a
    visitor who once opened the sign-in page would send it.
    """
    rng = random.Random(number)
    cookie = f"_ga=GA1.1.{rng.randrange(10**9)}.{1700000000 + number}; theme="
    cookie += rng.choice(["dark", "light", "sepia"])
    if with_csrf_token:
        cookie += "; csrftoken=" + "".join(rng.choices(string.ascii_letters + string.digits, k=32))
    return cookie


ONE_PAGE_LEVEL = [
    answers_for(backend, {level})
    for backend in ("redis", "memcached")
    for level in ("cache_per_view", "cache_per_site")
]


@pytest.mark.parametrize("answers", ONE_PAGE_LEVEL, ids=answers_id)
def test_anonymous_visitors_with_other_cookies_share_one_cached_copy(
    seeded_site, tmp_path, answers
):
    """50 visitors with their own _ga/theme cookies, 10 with a csrftoken: they share the copy."""
    project, env, server = seeded_site(answers)
    backend, log = answers["cache_backend"], tmp_path / "gunicorn.log"
    with gunicorn(project, env, log=log) as site:
        for page in PAGES:  # one cookieless visitor fills the cache
            fetch(site + page)
        before = stored_pages(backend, server)
        answered_from_cache, statuses = [], Counter()
        for number in range(50):
            page = PAGES[number % len(PAGES)]
            status, headers, body = fetch(site + page, visitor_cookie(number, number % 5 == 0))
            statuses[status] += 1
            answered_from_cache.append("Age" in headers)
        new_pages = stored_pages(backend, server) - before

    assert statuses == {200: 50}, (
        f"statuses of 50 anonymous visits: {dict(statuses)}\n{log.read_text()[-3000:]}"
    )
    hits = sum(answered_from_cache)
    assert hits >= 45 and len(new_pages) <= 3, (
        f"{answers_id(answers)}: after one cookieless visit, 50 anonymous visitors with their "
        f"own analytics and theme cookies (10 with a csrftoken) got {hits} pages from the cache "
        f"(want 45 or more) and made it store {len(new_pages)} new pages (want 3 at most): each "
        "cookie splits the cache, so real visitors rarely get a cached page"
    )


@contextmanager
def page_writes(backend, server):
    """Count writes of stored pages on the cache server while the block runs; yield a Counter.

    The counter maps each page key to how many times it was written (set). Adds
    (Redis SET ... NX, memcached add), as a lock would use, do not count. The
    block's end is marked with a write of the test's own, so every write made
    before it has been counted when the block returns.
    """
    writes, marker = Counter(), "traffic-test-end-of-block"
    if backend == "redis":
        watcher = Redis(host="127.0.0.1", port=server.port).monitor()
        stream = watcher.__enter__()

        def watch():
            for command in stream.listen():
                words = command["command"].split(" ")
                if len(words) > 1 and words[1] == marker:
                    return
                is_write = words[0].upper() in {"SET", "SETEX", "PSETEX"}
                if is_write and words[-1].upper() != "NX" and PAGE_MARK in words[1]:
                    writes[words[1]] += 1

        def mark_end():
            with Redis(host="127.0.0.1", port=server.port) as redis:
                redis.set(marker, 1)

    else:
        watcher = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        watcher.sendall(b"watch mutations\r\n")
        assert watcher.recv(100).startswith(b"OK"), "memcached refused `watch mutations`"

        def watch():
            pending = b""
            while True:
                chunk = watcher.recv(65536)
                if not chunk:
                    return
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    fields = dict(
                        part.split("=", 1) for part in line.decode().split(" ") if "=" in part
                    )
                    key = urllib.parse.unquote(fields.get("key", ""))
                    if key == marker:
                        return
                    if fields.get("cmd") == "set" and PAGE_MARK in key:
                        writes[key] += 1

        def mark_end():
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
                connection.sendall(f"set {marker} 0 0 1\r\n1\r\n".encode())
                connection.recv(100)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield writes
        mark_end()
        thread.join(timeout=30)
        assert not thread.is_alive(), f"the {backend} watcher never saw the end of the block"
    finally:
        if backend == "redis":
            watcher.__exit__(None, None, None)
        else:
            watcher.close()


def rename_recipe(project, env, pk, name):
    """Edit a recipe from a process of its own, as a second server or a worker would."""
    code = (
        "from recipes.models import Recipe\n"
        f"recipe = Recipe.objects.get(pk={pk})\n"
        f"recipe.name = {name!r}\n"
        "recipe.save()\n"
    )
    run([PYTHON, "manage.py", "shell", "-c", code], project, env)


CROWD = 32
GTHREAD = "--worker-class gthread --threads 8"


@pytest.mark.parametrize(
    "answers", [answers_for(b, set(LEVELS)) for b in ("redis", "memcached")], ids=answers_id
)
def test_a_crowd_right_after_an_edit_stores_the_page_once(seeded_site, tmp_path, answers):
    """32 requests at once for the list a write just made stale: it is stored at most twice."""
    project, env, server = seeded_site(answers)
    backend, log = answers["cache_backend"], tmp_path / "gunicorn.log"
    with gunicorn(project, {**env, "GUNICORN_CMD_ARGS": GTHREAD}, workers=2, log=log) as site:
        for _ in range(4):  # both workers have started and the list is cached
            fetch(site + "/recipes/")
        rename_recipe(project, env, 1, "Tomato soup, renamed")

        start = threading.Barrier(CROWD)
        responses = [None] * CROWD

        def visit(number):
            start.wait()
            responses[number] = fetch(site + "/recipes/")

        with page_writes(backend, server) as writes:
            crowd = [threading.Thread(target=visit, args=(n,)) for n in range(CROWD)]
            for visitor in crowd:
                visitor.start()
            for visitor in crowd:
                visitor.join(timeout=60)

    statuses = Counter(response[0] if response else "no answer" for response in responses)
    assert statuses == {200: CROWD}, (
        f"{answers_id(answers)}: {CROWD} visitors right after an edit got {dict(statuses)}"
        f"\n{log.read_text()[-3000:]}"
    )
    stale = [n for n, response in enumerate(responses) if "Tomato soup, renamed" not in response[2]]
    assert not stale, f"{len(stale)} of {CROWD} visitors right after the edit saw the old list"
    assert writes, f"the crowd stored no page on {backend} at all: is the page cache on?"
    most = max(writes.values())
    assert most <= 2, (
        f"{answers_id(answers)}: {CROWD} visitors asking for /recipes/ at once right after an "
        f"edit made the site render and store the same page up to {most} times (want 1, "
        f"at most 2): page writes per key {sorted(writes.values(), reverse=True)}"
    )


FLOOD = 400


def test_a_flood_of_junk_requests_adds_no_cache_entry(seeded_site, tmp_path):
    """400 requests: random query strings, Host ports, session cookies, headers; DBSIZE stays."""
    answers = answers_for("redis", set(LEVELS))
    project, env, server = seeded_site(answers)
    log = tmp_path / "gunicorn.log"
    with gunicorn(project, env, workers=2, log=log) as site, Redis(port=server.port) as redis:
        for page in PAGES:  # the site's pages, asked for directly and through a proxy
            for headers in ({}, {"Host": "127.0.0.1"}):
                for _ in range(2):
                    fetch(site + page, headers=headers)
        before = set(redis.scan_iter(count=1000))
        rng, statuses = random.Random(19), Counter()
        for number in range(FLOOD):
            path, headers = junk_request(number, rng, PAGES)
            statuses[fetch(site + path, headers=headers)[0]] += 1
        added = set(redis.scan_iter(count=1000)) - before

    assert statuses == {200: FLOOD}, f"statuses: {dict(statuses)}\n{log.read_text()[-3000:]}"
    assert not added, (
        f"{answers_id(answers)}: after the site's pages were cached, {FLOOD} requests with "
        f"random query strings, Host ports, session cookies and header values added "
        f"{len(added)} Redis entries (DBSIZE delta; want 0), e.g. {sorted(added)[:3]}"
    )
