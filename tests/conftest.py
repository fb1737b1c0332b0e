"""Real cache and database servers for the template's tests, and projects baked for them.

Each server fixture starts a real process on a free loopback port in a temporary
directory, yields it, and stops it afterwards. A missing server program is a
failure with the command that installs it, never a skip: a green run must mean
the baked code really talked to Redis, memcached and PostgreSQL.
"""

import itertools
import os
import secrets
import shutil
import tempfile
import time

import pytest
from redis import Redis

from tests import support
from tests.support import Postgres, Server, StepFailed, require_program, run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A step that failed (StepFailed) is reported by its message alone, like pytest.fail."""
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(StepFailed):
        report.longrepr = str(call.excinfo.value)
    return report


@pytest.fixture
def bake(tmp_path):
    """Bake answers as `cookiecutter --no-input` does, in this test's directory; the project."""
    numbers = itertools.count(1)

    def bake_answers(answers):
        return support.bake(answers, tmp_path / f"bake-{next(numbers)}")

    return bake_answers


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = support.redis_server(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def memcached_server(tmp_path_factory):
    server = support.memcached_server(tmp_path_factory.mktemp("memcached")).start()
    yield server
    server.stop()


def odd_password():
    """A fresh password with every character a URL must escape."""
    return secrets.token_hex(8) + "/:@,%"


@pytest.fixture
def redis_primary_and_replica(tmp_path):
    """(primary, replica, password): a replica in sync with its primary, both password-protected."""
    password = odd_password()
    auth = ("--requirepass", password, "--masterauth", password)
    (tmp_path / "primary").mkdir()
    (tmp_path / "replica").mkdir()
    # Diskless sync without its default 5 s wait: a replica (re)attaches at once.
    primary = support.redis_server(
        tmp_path / "primary", *auth, "--repl-diskless-sync-delay", "0", name="redis primary"
    ).start()
    replica = support.redis_server(
        tmp_path / "replica",
        *auth,
        "--replicaof",
        "127.0.0.1",
        str(primary.port),
        name="redis replica",
    ).start()
    link = Redis(host="127.0.0.1", port=replica.port, password=password)
    deadline = time.monotonic() + 10
    while link.info("replication")["master_link_status"] != "up":
        assert time.monotonic() < deadline, "the replica did not sync with its primary in 10 s"
        time.sleep(0.05)
    link.close()
    yield primary, replica, password
    replica.stop()
    primary.stop()


# Sentinel settings for a failover within seconds: a primary that does not answer
# for a second is down, and a failover that stalls is tried again after 3 s.
SENTINEL_DOWN_AFTER_MS = 1000
SENTINEL_FAILOVER_TIMEOUT_MS = 3000


@pytest.fixture
def redis_sentinels(redis_primary_and_replica, tmp_path):
    """(primary, replica, sentinels, password): three sentinels watching "mymaster".

    Each sentinel has a configuration file of its own (sentinels rewrite it). The
    fixture waits until every sentinel knows the replica and the two other
    sentinels, so that killing the primary is followed by a failover.
    """
    primary, replica, password = redis_primary_and_replica
    program = require_program("redis-server", "redis-server")

    def command_in(workdir):
        def command(port):
            conf = workdir / "sentinel.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {workdir}\n"
                f"sentinel monitor mymaster 127.0.0.1 {primary.port} 2\n"
                f'sentinel auth-pass mymaster "{password}"\n'
                f"sentinel down-after-milliseconds mymaster {SENTINEL_DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout mymaster {SENTINEL_FAILOVER_TIMEOUT_MS}\n",
                encoding="utf-8",
            )
            return [program, str(conf), "--sentinel"]

        return command

    sentinels = []
    for number in (1, 2, 3):
        workdir = tmp_path / f"sentinel-{number}"
        workdir.mkdir()
        sentinels.append(Server(f"redis-sentinel #{number}", command_in(workdir), workdir).start())
    links = [Redis(host="127.0.0.1", port=sentinel.port) for sentinel in sentinels]
    deadline = time.monotonic() + 30
    while not all(
        (state := link.sentinel_master("mymaster"))["num-slaves"] == 1
        and state["num-other-sentinels"] == 2
        for link in links
    ):
        assert time.monotonic() < deadline, "the sentinels did not find each other in 30 s"
        time.sleep(0.1)
    for link in links:
        link.close()
    yield primary, replica, sentinels, password
    for sentinel in sentinels:
        sentinel.stop()


@pytest.fixture
def redis_tls_server(tmp_path):
    """(server, CA file, password): Redis on a TLS-only port with a self-signed certificate."""
    program = require_program("redis-server", "redis-server")
    openssl = require_program("openssl", "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        tmp_path,
        None,
    )
    password = odd_password()

    def command(port):
        return [
            *(program, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1"),
            *("--tls-cert-file", str(cert), "--tls-key-file", str(key)),
            *("--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no"),
            *("--dir", str(tmp_path), "--save", "", "--appendonly", "no"),
            *("--requirepass", password),
        ]

    server = Server("redis-server (TLS)", command, tmp_path).start()
    yield server, cert, password
    server.stop()


@pytest.fixture
def memcached_pool(tmp_path):
    """Two memcached servers, for a pool that shards the keys between them."""
    servers = [support.memcached_server(tmp_path, name=f"memcached #{n}").start() for n in (1, 2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL cluster of its own (initdb + pg_ctl), with a password for its user."""
    # Not under pytest's temporary directory: as root that is closed to the postgres user.
    workdir = tempfile.mkdtemp(prefix="pytest-postgres-")
    try:
        server = Postgres(workdir, secrets.token_hex(8)).start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def backend_env(request, tmp_path):
    """Environment variables pointing the baked site at a real server for backend."""

    def env_for(backend):
        port = None
        if backend in ("redis", "memcached"):
            port = request.getfixturevalue(f"{backend}_server").port
        return support.backend_env(backend, port=port, workdir=tmp_path)

    return env_for


@pytest.fixture
def own_cache_server(tmp_path):
    """start(backend) -> a redis-server or memcached for this test alone, stopped afterwards.

    What a test counts on it (entries, SET commands) is that test's own. It also
    keeps bakes apart: two bakes with the same answers have the same code, so the
    same cache keys, and on a shared server one could serve the other its pages.
    """
    started = []

    def start(backend):
        workdir = tmp_path / f"{backend}-server"
        workdir.mkdir()
        if backend == "redis":
            server = support.redis_server(workdir).start()
        elif backend == "memcached":
            server = support.memcached_server(workdir).start()
        else:
            raise ValueError(f"no server to start for the {backend} backend")
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def seeded_site(cookies, own_cache_server):
    """bake(answers, recipes=5) -> (project, env, cache server): baked, migrated, seeded.

    The site's cache is a server of the test's own (own_cache_server); env points the
    baked project at it, as a user's .env would.
    """

    def bake(answers, recipes=5):
        result = cookies.bake(extra_context=answers)
        assert result.exit_code == 0, f"the bake failed: {result.exception}"
        project, backend = result.project_path, answers["cache_backend"]
        server = own_cache_server(backend)
        env = support.backend_env(backend, port=server.port)
        support.prepare(project, env, recipes=recipes)
        return project, env, server

    return bake


@pytest.fixture
def chromium(tmp_path, monkeypatch):
    """A headless Chromium (Debian's chromium and chromium-driver), with a profile of its own.

    The driver is given by path, so selenium never runs Selenium Manager, and
    SE_OFFLINE keeps it from reaching out anyway: nothing is downloaded at run time.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser_path = require_program("chromium", "chromium")
    driver_path = require_program("chromedriver", "chromium-driver")
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    # What the browser's network did, for browser.get_log("performance").
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    for argument in (
        "--headless=new",
        # As root (CI here), Chromium refuses to start inside its sandbox.
        *(["--no-sandbox"] if os.geteuid() == 0 else []),
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    service = Service(executable_path=driver_path, log_output=str(tmp_path / "chromedriver.log"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()
