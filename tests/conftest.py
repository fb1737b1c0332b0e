"""Real cache servers for the template's tests.

Each server fixture starts a real process on a free loopback port in a temporary
directory, yields it, and stops it afterwards. A missing server program is a
failure with the command that installs it, never a skip: a green run must mean
the baked code really talked to Redis and memcached.
"""

import os

import pytest

from tests.support import Server, require_program


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    program = require_program("redis-server", "redis-server")
    workdir = tmp_path_factory.mktemp("redis")

    def command(port):
        return [
            *(program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
            *("--save", "", "--appendonly", "no"),
        ]

    server = Server("redis-server", command, workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def memcached_server(tmp_path_factory):
    program = require_program("memcached", "memcached")
    workdir = tmp_path_factory.mktemp("memcached")
    user = ["-u", "root"] if os.geteuid() == 0 else []

    def command(port):
        return [program, "-l", "127.0.0.1", "-p", str(port), "-U", "0", *user]

    server = Server("memcached", command, workdir).start()
    yield server
    server.stop()


@pytest.fixture
def backend_env(request, tmp_path):
    """Environment variables pointing the baked site at a real server for backend."""

    def env_for(backend):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "REDIS_", "MEMCACHED_", "CACHE_", "DATABASE_"))
        }
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if backend == "redis":
            server = request.getfixturevalue("redis_server")
            # A database number of its own per test keeps parallel runs apart.
            env["REDIS_URL"] = f"redis://127.0.0.1:{server.port}/0"
        elif backend == "memcached":
            server = request.getfixturevalue("memcached_server")
            env["MEMCACHED_SERVERS"] = f"127.0.0.1:{server.port}"
        elif backend == "file":
            env["CACHE_DIR"] = str(tmp_path / "file-cache")
        return env

    return env_for
