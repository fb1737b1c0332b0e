"""The baked site stays up when its cache fails, and says so once.

Each test serves a baked project with gunicorn over HTTP and breaks its cache for
real: a redis-server or memcached process that is not started yet, killed under
traffic, paused with SIGSTOP, or replaced by a socket that accepts connections
and never answers; a missing cache table; a cache directory the site cannot
write. Every page must stay 200 within REQUEST_BOUND seconds, the log must say so
once, and caching must come back when the cache does, without a restart.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    backend_env,
    bake,
    free_port,
    memcached_server,
    prepare,
    redis_server,
    run,
    site_env,
    wait_for_port,
)

pytestmark = pytest.mark.slow

# The connect and read timeouts are 0.25 s; a request makes a few cache calls at
# most before the failed server is left alone. Generous: the machine is noisy.
REQUEST_BOUND = 3.0
# A failed server is tried again after 2 s (Redis's retry_after, pymemcache's
# dead_timeout).
RESUME_BOUND = 40.0
PAGES = ["/recipes/", "/recipes/1/", "/healthz"]
FAILED = "Cache unavailable"
BACK = "Cache available again"


def cache_server(backend, workdir, port=None):
    """A real redis-server or memcached, not started yet."""
    server = (redis_server if backend == "redis" else memcached_server)(workdir)
    if port is not None:
        server.port = port
    return server


class Listener:
    """A loopback listener that hands each accepted connection to on_connect."""

    def __init__(self, port=0):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(client)
            self.on_connect(client)

    def on_connect(self, client):
        """Keep the connection open and never answer."""

    def stop(self):
        self.listener.close()
        for connection in self.sockets:
            connection.close()


class HungServer(Listener):
    """Accepts connections on a port and never answers, like a frozen cache server."""


class Link(Listener):
    """A TCP link to a server that can be cut: then connections hang, and data is lost."""

    def __init__(self, server_port):
        self.server_port = server_port
        self.is_cut = False
        super().__init__()

    def on_connect(self, client):
        if self.is_cut:
            return  # Accepted, never answered: what a client sees of a cut link.
        server = socket.create_connection(("127.0.0.1", self.server_port))
        self.sockets.append(server)
        for source, target in [(client, server), (server, client)]:
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            end.close()

    def _drop_connections(self):
        sockets, self.sockets = self.sockets, []
        for end in sockets:
            end.close()

    def cut(self):
        self.is_cut = True
        self._drop_connections()

    def restore(self):
        self.is_cut = False
        self._drop_connections()

    def stop(self):
        self.listener.close()
        self._drop_connections()


class Site:
    """The baked project served by gunicorn (one sync worker), its log in a file."""

    def __init__(self, project, env, log_path):
        self.port = free_port()
        self.log_path = log_path
        with open(log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "config.wsgi:application"]
                + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "30"],
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, "gunicorn", timeout=30)

    def get(self, path):
        """(status, headers, body, seconds) of one GET, whatever the status."""
        started = time.monotonic()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        return status, headers, body.decode(), time.monotonic() - started

    def log(self):
        return self.log_path.read_text(encoding="utf-8")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def assert_pages_served(site, times=2):
    """Every page 200, each within REQUEST_BOUND; returns /healthz's body."""
    for _ in range(times):
        for path in PAGES:
            status, _, body, seconds = site.get(path)
            assert status == 200, f"GET {path} gave {status}:\n{body[:2000]}\n{site.log()}"
            assert seconds < REQUEST_BOUND, f"GET {path} took {seconds:.2f} s"
    return body


def wait_for_cache_hit(site):
    """Caching works again: a repeat visit is answered from the cache (Age header)."""
    deadline = time.monotonic() + RESUME_BOUND
    while time.monotonic() < deadline:
        site.get("/recipes/")
        status, headers, _, _ = site.get("/recipes/")
        if status == 200 and "Age" in headers:
            return
        time.sleep(0.5)
    pytest.fail(f"caching did not resume within {RESUME_BOUND} s:\n{site.log()}", pytrace=False)


def outage_lines(site):
    return [line for line in site.log().splitlines() if FAILED in line]


def seeded_project(workdir, backend):
    """A project for the backend, every level on, migrated and seeded; no cache table."""
    project = bake(answers_for(backend, set(LEVELS)), workdir)
    prepare(project, site_env(), recipes=5)
    return project


@pytest.fixture(scope="module", params=["redis", "memcached"])
def server_project(request, tmp_path_factory):
    return request.param, seeded_project(tmp_path_factory.mktemp("bake"), request.param)


@pytest.fixture
def stoppers():
    """Things to stop after the test, whatever happens."""
    started = []
    yield started
    for thing in reversed(started):
        thing.stop()


def test_cache_server_down_before_start_up(server_project, tmp_path, stoppers):
    backend, project = server_project
    server = cache_server(backend, tmp_path)
    site = Site(project, backend_env(backend, server.port), tmp_path / "site.log")
    stoppers.append(site)

    health = assert_pages_served(site)
    assert '"cache": "down"' in health
    assert len(outage_lines(site)) == 1, site.log()

    stoppers.append(server.start())
    wait_for_cache_hit(site)
    assert BACK in site.log()
    assert '"cache": "up"' in site.get("/healthz")[2]


def test_cache_server_killed_under_traffic(server_project, tmp_path, stoppers):
    backend, project = server_project
    server = cache_server(backend, tmp_path).start()
    stoppers.append(server)
    site = Site(project, backend_env(backend, server.port), tmp_path / "site.log")
    stoppers.append(site)
    wait_for_cache_hit(site)

    results, stop = [], threading.Event()

    def traffic():
        while not stop.is_set():
            results.append(site.get("/recipes/"))

    visitor = threading.Thread(target=traffic)
    visitor.start()
    time.sleep(0.5)
    server.process.kill()
    server.process.wait()
    time.sleep(1.5)
    stop.set()
    visitor.join()
    assert_pages_served(site)
    assert [status for status, *_ in results] == [200] * len(results)
    assert max(seconds for *_, seconds in results) < REQUEST_BOUND
    assert len(outage_lines(site)) == 1, site.log()

    server.start()
    wait_for_cache_hit(site)
    assert BACK in site.log()


def test_hung_cache_server(server_project, tmp_path, stoppers):
    backend, project = server_project
    port = free_port()
    hung = HungServer(port)
    stoppers.append(hung)
    site = Site(project, backend_env(backend, port), tmp_path / "site.log")
    stoppers.append(site)

    # Long enough for the site to try the server again a few times.
    for _ in range(3):
        assert_pages_served(site)
        time.sleep(1)
    assert len(outage_lines(site)) == 1, site.log()

    stoppers.remove(hung)
    hung.stop()
    stoppers.append(cache_server(backend, tmp_path, port=port).start())
    wait_for_cache_hit(site)


def test_an_edit_made_while_the_server_is_out_of_reach_shows_when_it_is_back(
    server_project, tmp_path, stoppers
):
    """A server cut off by the network keeps its entries, and misses the new version."""
    backend, project = server_project
    server = cache_server(backend, tmp_path).start()
    stoppers.append(server)
    link = Link(server.port)
    stoppers.append(link)
    env = backend_env(backend, link.port)
    site = Site(project, env, tmp_path / "site.log")
    stoppers.append(site)
    wait_for_cache_hit(site)
    new_name = f"Renamed during the outage {time.time_ns()}"

    link.cut()
    assert_pages_served(site, times=1)
    rename = f"r = Recipe.objects.get(pk=1); r.name = {new_name!r}; r.save()"
    run(
        [PYTHON, "manage.py", "shell", "-c", f"from recipes.models import Recipe; {rename}"],
        project,
        env,
    )
    assert_pages_served(site, times=1)
    link.restore()

    wait_for_cache_hit(site)
    status, headers, body, _ = site.get("/recipes/")
    assert "Age" in headers
    assert new_name in body, "the cache served the page from before the outage"


def test_healthz_is_503_when_the_database_is_down(server_project, tmp_path, stoppers):
    backend, project = server_project
    server = cache_server(backend, tmp_path).start()
    stoppers.append(server)
    env = backend_env(backend, server.port)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite3'}"
    site = Site(project, env, tmp_path / "site.log")
    stoppers.append(site)
    status, headers, body, _ = site.get("/healthz")
    assert status == 503
    assert body == '{"database": "down", "cache": "up"}'
    assert "no-store" in headers["Cache-Control"]


def manage_check(project, env, *options, as_user=False):
    """`manage.py check` as a user runs it (as_user: root obeys file permissions too)."""
    command = [*(without_root_privileges() if as_user else []), PYTHON, "manage.py", "check"]
    return subprocess.run(
        [*command, *options], cwd=project, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def db_project(tmp_path):
    return seeded_project(tmp_path / "bake", "db")


def test_missing_cache_table(db_project, tmp_path, stoppers):
    env = site_env()
    check = manage_check(db_project, env, "--database", "default")
    assert "(caching.W001) The cache table 'django_cache' does not exist" in check.stderr
    assert "HINT: Run `python manage.py createcachetable`." in check.stderr

    site = Site(db_project, env, tmp_path / "site.log")
    stoppers.append(site)
    assert '"cache": "down"' in assert_pages_served(site)
    lines = outage_lines(site)
    assert len(lines) == 1, site.log()
    assert "run `python manage.py createcachetable`" in lines[0]
    assert "Traceback" not in site.log()

    run([PYTHON, "manage.py", "createcachetable"], db_project, env)
    wait_for_cache_hit(site)
    assert BACK in site.log()


@pytest.fixture
def file_project(tmp_path):
    return seeded_project(tmp_path / "bake", "file")


def without_root_privileges():
    """A command prefix that makes root obey file permissions, as any user does."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv is missing: apt-get install -y util-linux", pytrace=False)
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_cache_directory_that_cannot_be_created(file_project, tmp_path, stoppers):
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    directory = tmp_path / "a-file" / "cache"
    env = site_env(CACHE_DIR=str(directory))
    check = manage_check(file_project, env)
    assert check.returncode == 1
    assert (
        f"(caching.E006) The cache directory '{directory}' cannot be created "
        f"({tmp_path / 'a-file'} is a file), so nothing can be cached."
    ) in check.stderr

    site = Site(file_project, env, tmp_path / "site.log")
    stoppers.append(site)
    assert '"cache": "down"' in assert_pages_served(site)
    assert len(outage_lines(site)) == 1, site.log()


def test_cache_directory_that_is_not_writable(file_project, tmp_path):
    directory = tmp_path / "read-only-cache"
    directory.mkdir(mode=0o555)
    check = manage_check(file_project, site_env(CACHE_DIR=str(directory)), as_user=True)
    assert check.returncode == 1
    assert (
        f"(caching.E006) The cache directory '{directory}' is not writable "
        "(Permission denied), so nothing can be cached."
    ) in check.stderr
