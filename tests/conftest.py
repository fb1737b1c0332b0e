"""Real cache and database servers for the template's tests, and projects baked for them.

Each server fixture starts a real process on a free loopback port in a temporary
directory, yields it, and stops it afterwards. A missing server program is a
failure with the command that installs it, never a skip: a green run must mean
the baked code really talked to Redis, memcached and PostgreSQL.
"""

import itertools
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
