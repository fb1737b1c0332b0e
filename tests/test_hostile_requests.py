"""Hostile requests against the baked site: forged headers, missing pages, scanners.

One bake with every level on Redis, served by gunicorn with the baked
gunicorn.conf.py over loopback HTTP, cached on a redis-server of its own; baked,
seeded and started once for the module. Counts (links, keys, commands, log
lines), never time.
"""

import re
import socket
import threading
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager

import pytest
from redis import Redis

from tests.support import (
    ACCESS_LINE,
    LEVELS,
    PYTHON,
    answers_for,
    backend_env,
    bake,
    gunicorn,
    prepare,
    redis_server,
    run,
)

pytestmark = pytest.mark.slow

# Two pages of recipes: the list links to recipes and to its second page.
RECIPES = 60
GTHREAD = "--worker-class gthread --threads 4"
LINK = re.compile(r'href="([^"]*)"')
# A link to a recipe, wherever it leads; a clean one is /recipes/<pk>/.
RECIPE_LINK = re.compile(r"[^\s\"]*recipes/[0-9]+/")
CLEAN_RECIPE_LINK = re.compile(r"/recipes/[0-9]+/")


class Site:
    """The baked project, its environment, its redis-server, gunicorn's URL and log."""

    def __init__(self, project, env, redis, url, log):
        self.project, self.env, self.redis, self.url, self.log = project, env, redis, url, log
        self.port = int(url.rsplit(":", 1)[1])
        self.edits = 0

    def get(self, path):
        """(status, body) of one clean GET."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def send(self, head):
        """(status, header lines) of one request sent as written, over a socket of its own."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(head.format(host=f"127.0.0.1:{self.port}").encode())
            reply = b""
            while chunk := connection.recv(65536):
                reply += chunk
        status_line, *headers = reply.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
        return int(status_line.split(" ", 2)[1]), headers

    def edit(self):
        """Rename the newest recipe from a process of its own; its new name.

        Every cached page and fragment of the list is stale after it.
        """
        self.edits += 1
        name = f"Soup, edit {self.edits}"
        code = (
            "from recipes.models import Recipe\n"
            "recipe = Recipe.objects.first()\n"
            f"recipe.name = {name!r}\n"
            "recipe.save()\n"
        )
        run([PYTHON, "manage.py", "shell", "-c", code], self.project, self.env)
        return name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Every level on Redis, under gunicorn (2 workers of 4 threads), 60 recipes."""
    workdir = tmp_path_factory.mktemp("hostile")
    project = bake(answers_for("redis", set(LEVELS)), workdir / "bake")
    with ExitStack() as stack:
        redis = redis_server(workdir).start()
        stack.callback(redis.stop)
        env = backend_env("redis", port=redis.port)
        prepare(project, env, recipes=RECIPES)
        log = workdir / "gunicorn.log"
        served = {**env, "GUNICORN_CMD_ARGS": GTHREAD}
        url = stack.enter_context(gunicorn(project, served, workers=2, log=log))
        yield Site(project, env, redis, url, log)


def links(body):
    return [link for link in LINK.findall(body) if not link.startswith("/static/")]


# A request with one forged part each, and the status it must get.
FORGED = {
    "SCRIPT_NAME": ("GET /evil/recipes/ HTTP/1.1\r\nHost: {host}\r\nSCRIPT_NAME: /evil\r\n", 404),
    "X-Forwarded-Host": (
        "GET /recipes/ HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Host: evil\r\n",
        200,
    ),
    "X-Forwarded-Prefix": (
        "GET /recipes/ HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Prefix: /evil\r\n",
        200,
    ),
    "Forwarded": (
        "GET /recipes/ HTTP/1.1\r\nHost: {host}\r\n"
        "Forwarded: for=203.0.113.7;host=evil;proto=https\r\n",
        200,
    ),
    "two-Host-headers": ("GET /recipes/ HTTP/1.1\r\nHost: {host}\r\nHost: evil\r\n", 400),
    "absolute-URI": ("GET http://evil/recipes/ HTTP/1.1\r\nHost: {host}\r\n", 200),
}


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_header_changes_nothing_another_visitor_sees(site, forged):
    """Right after an edit, a forged request renders first; a clean visitor's list is clean."""
    status, before = site.get("/recipes/")
    assert status == 200
    name = site.edit()
    head, expected_status = FORGED[forged]
    forged_status, _ = site.send(head + "Connection: close\r\n\r\n")
    status, after = site.get("/recipes/")
    assert status == 200 and name in after, f"{forged}: the list after the edit is not fresh"
    recipe_links = [link for link in links(after) if RECIPE_LINK.fullmatch(link)]
    unclean = [link for link in recipe_links if not CLEAN_RECIPE_LINK.fullmatch(link)]
    assert len(recipe_links) == 50 and not unclean, (
        f"{forged}: after one forged request, a clean visitor of /recipes/ got "
        f"{len(unclean)} of {len(recipe_links)} recipe links elsewhere: {unclean[:3]}"
    )
    assert links(after) == links(before) and "evil" not in after, (
        f"{forged}: a clean visitor's links changed after one forged request"
    )
    assert forged_status == expected_status, f"{forged}: the forged request got {forged_status}"


@contextmanager
def redis_commands(port):
    """The commands redis-server runs while the block runs, each a list of words."""
    commands, marker = [], "hostile-test-end-of-block"
    # Connected before the watch starts: the end mark is the one command it adds.
    marking = Redis(host="127.0.0.1", port=port)
    marking.ping()
    with marking, Redis(host="127.0.0.1", port=port).monitor() as stream:

        def watch():
            for command in stream.listen():
                words = command["command"].split(" ")
                if words[1:2] == [marker]:
                    return
                commands.append(words)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        yield commands
        marking.set(marker, 1)
        watcher.join(timeout=30)
        assert not watcher.is_alive(), "the redis watcher never saw the end of the block"


# Pages that do not exist, as crawlers and scanners ask for them: recipes that
# were deleted, pages past the last, page numbers that are not numbers.
MISSING = [
    *(f"/recipes/{999_000 + n}/" for n in range(4)),
    *(f"/recipes/?page={99_990 + n}" for n in range(4)),
    *(f"/recipes/?page=abc{n}" for n in range(4)),
]
ROUNDS = 3
LOCK_MARK = "rendering."


def storm(site, paths):
    """Ask for every path at once, one thread each; their statuses."""
    start, statuses = threading.Barrier(len(paths)), [None] * len(paths)

    def visit(number):
        start.wait(timeout=30)
        statuses[number] = site.get(paths[number])[0]

    visitors = [threading.Thread(target=visit, args=(n,)) for n in range(len(paths))]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=60)
    return statuses


def test_a_storm_of_missing_pages_leaves_no_render_lock_and_waits_for_none(site):
    """Each missing page asked for in 3 rounds: every request takes its locks at once."""
    with redis_commands(site.redis.port) as commands:
        for _ in range(ROUNDS):
            statuses = storm(site, MISSING)
            assert statuses == [404] * len(MISSING), f"statuses of missing pages: {statuses}"
    lock_commands = [words for words in commands if LOCK_MARK in " ".join(words[1:2])]
    takes = [words for words in lock_commands if words[0].upper() == "SET"]
    waits = [words for words in lock_commands if words[0].upper() == "GET"]
    with Redis(host="127.0.0.1", port=site.redis.port) as redis:
        left = [key.decode() for key in redis.scan_iter(match=f"*{LOCK_MARK}*", count=1000)]
    # One lock a request: the per-site middleware's (cache_page inside leaves the page to it).
    assert len(takes) == ROUNDS * len(MISSING), f"render locks taken: {len(takes)}"
    assert not waits and not left, (
        f"{ROUNDS} rounds of {len(MISSING)} missing pages made {len(waits)} polls of a render "
        f"lock and left {len(left)} locks behind: a missing page must cost what a 404 costs"
    )


def test_a_host_not_allowed_costs_one_log_line(site):
    before = len(site.log.read_bytes())
    status, _ = site.send(
        "GET /recipes/ HTTP/1.1\r\nHost: scanner.example\r\nConnection: close\r\n\r\n"
    )
    # Django logs before it answers: its lines are in the log by now.
    logged = site.log.read_bytes()[before:].decode(errors="replace")
    lines = [line for line in logged.splitlines() if not re.search(ACCESS_LINE, line)]
    assert status == 400
    assert len(lines) == 1 and "scanner.example" in lines[0] and "Traceback" not in logged, (
        f"one request for a host not in ALLOWED_HOSTS logged {len(lines)} lines, "
        f"{len(logged)} bytes:\n{logged[:3000]}"
    )


@pytest.mark.parametrize("method, status", [("OPTIONS", 204), ("TRACE", 405), ("POST", 405)])
def test_a_method_that_does_not_read_never_reaches_the_cache(site, method, status):
    with redis_commands(site.redis.port) as commands:
        answer, headers = site.send(
            f"{method} /recipes/ HTTP/1.1\r\nHost: {{host}}\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n"
        )
    assert answer == status and "Allow: GET, HEAD, OPTIONS" in headers, (answer, headers)
    assert commands == [], f"{method} /recipes/ made {len(commands)} calls to the cache"
