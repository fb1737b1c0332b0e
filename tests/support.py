"""What the template's tests and its benchmark share: answers, bakes, servers, commands.

Nothing here needs pytest: benchmarks/run.py uses it too. A step that cannot be
done (a command that fails, a server program that is missing) raises StepFailed
with what a user would see; tests/conftest.py reports it as a plain failure.
"""

import glob
import os
import re
import shutil
import socket
import string
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from itertools import product
from pathlib import Path

import psycopg
from psycopg import sql

# Re-exported: the answers' rules live with the template (local_extensions.py).
from local_extensions import BACKENDS, LEVELS, derived, optional_files  # noqa: F401

TEMPLATE = Path(__file__).resolve().parent.parent
SHORT = {
    "cache_per_site": "per_site",
    "cache_per_view": "per_view",
    "cache_template_fragment": "fragment",
    "cache_low_level": "low_level",
}
SLUG = "recipe_site"
PYTHON = sys.executable


class StepFailed(Exception):
    """A command, server or program that a test or the benchmark needs failed or is missing."""


def answers_for(backend, levels):
    """The cookiecutter answers for one backend and a set of enabled levels."""
    return {"cache_backend": backend, **{level: level in levels for level in LEVELS}}


def answers_id(answers):
    """A readable test id: backend:redis-per_site:True-..."""
    parts = [f"backend:{answers['cache_backend']}"]
    parts += [f"{SHORT[level]}:{answers[level]}" for level in LEVELS]
    if "front_cache" in answers:
        parts.append(f"front_cache:{answers['front_cache']}")
    if "use_debug_toolbar" in answers:
        parts.append(f"debug_toolbar:{answers['use_debug_toolbar']}")
    return "-".join(parts)


def with_varnish(answers):
    """The same answers with Varnish in front (front_cache=varnish)."""
    return {**answers, "front_cache": "varnish"}


ALL_COMBINATIONS = [
    answers_for(backend, {level for level, on in zip(LEVELS, flags, strict=True) if on})
    for backend in BACKENDS
    for flags in product([False, True], repeat=len(LEVELS))
]


def run(command, cwd, env, timeout=600):
    """Run a command; if it fails, raise StepFailed with its output, as a user would see it."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise StepFailed(
            f"`{' '.join(map(str, command))}` in {cwd} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


# The variables the baked site reads; a test sets the ones it needs, never inherits them.
SITE_VARIABLES = ("DJANGO_", "REDIS_", "MEMCACHED_", "CACHE_", "DATABASE_")


def site_env(**variables):
    """This environment without the site's variables, plus the given ones."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SITE_VARIABLES)}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **variables}


def backend_env(backend, port=None, workdir=None, **variables):
    """site_env pointing the site at its cache: a server on port, or a directory in workdir."""
    if backend == "redis":
        variables.setdefault("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    elif backend == "memcached":
        variables.setdefault("MEMCACHED_SERVERS", f"127.0.0.1:{port}")
    elif backend == "file":
        variables.setdefault("CACHE_DIR", str(Path(workdir) / "file-cache"))
    return site_env(**variables)


# What a template checkout holds besides the template: never copied into a repository.
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "build", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache"
)


def cli_env(tmp_path):
    """Environment for cookiecutter, cruft, git and pre-commit as a user runs them.

    cookiecutter's clones and replay files go to tmp_path, git has an identity, and
    nothing from the test run (the site's variables, NO_COLOR, PYTEST_*) leaks in.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n",
        encoding="utf-8",
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith((*SITE_VARIABLES, "PYTEST_", "NO_COLOR"))
    }
    env.update(
        COOKIECUTTER_CONFIG=str(config),
        GIT_AUTHOR_NAME="Template Tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="Template Tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def git(*args, cwd, env):
    return run(["git", *args], cwd, env).stdout


def cli_answer(value):
    """An answer as typed on cookiecutter's command line: yes/no for a boolean."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def bake(answers, output_dir):
    """Bake the template as `cookiecutter --no-input` does; return the project's path.

    A subprocess, as a user runs it: a failing hook fails with the user's own
    message, and the next steps the hook prints stay out of the caller's output.
    """
    output_dir = Path(output_dir)
    env = cli_env(output_dir / ".cookiecutter")
    command = [PYTHON, "-m", "cookiecutter", "--no-input", "--output-dir", str(output_dir)]
    command += [str(TEMPLATE), *(f"{key}={cli_answer(v)}" for key, v in answers.items())]
    run(command, output_dir, env)
    return output_dir / answers.get("project_slug", SLUG)


def prepare(project, env, recipes=20, cache_table=False, python=PYTHON):
    """The setup steps the README gives: migrate, createcachetable (db cache), seed."""
    run([python, "manage.py", "migrate", "--no-input"], project, env)
    if cache_table:
        run([python, "manage.py", "createcachetable"], project, env)
    run([python, "manage.py", "seed_recipes", "--count", str(recipes)], project, env)


def run_baked_suite(project, env):
    """Run the baked project's own suite, as its README says; it must pass."""
    result = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, name, timeout=10.0, log=None):
    """Wait until process listens on port; log is a file holding what it printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = Path(log).read_text(errors="replace")[-4000:] if log else ""
            raise StepFailed(f"{name} exited with {process.returncode} before listening\n{said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise StepFailed(f"{name} did not listen on 127.0.0.1:{port} within {timeout}s")


def require_program(program, package):
    path = shutil.which(program)
    if path is None:
        raise StepFailed(
            f"{program} is not installed; the tests need a real server: "
            f"apt-get install -y {package} (or brew install {package})"
        )
    return path


class Server:
    """One server process on a free loopback port; stop() and start() again at will."""

    def __init__(self, name, command_for_port, workdir):
        self.name = name
        self.command_for_port = command_for_port
        self.workdir = workdir
        self.port = free_port()
        self.process = None
        self.log = Path(workdir) / (re.sub(r"\W+", "-", name) + ".log")

    def start(self):
        Path(self.workdir).mkdir(parents=True, exist_ok=True)
        with open(self.log, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                self.command_for_port(self.port),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.name, log=self.log)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def redis_server(workdir, *options, name="redis-server"):
    """A redis-server on a free loopback port, keeping nothing on disk; not started yet."""
    program = require_program("redis-server", "redis-server")

    def command(port):
        return [
            *(program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
            *("--save", "", "--appendonly", "no", *options),
        ]

    return Server(name, command, workdir)


def memcached_server(workdir, *options, name="memcached"):
    """A memcached on a free loopback port (TCP only); not started yet."""
    program = require_program("memcached", "memcached")
    # memcached refuses to run as root unless told which user to be.
    user = ["-u", "root"] if os.geteuid() == 0 else []

    def command(port):
        return [program, "-l", "127.0.0.1", "-p", str(port), "-U", "0", *user, *options]

    return Server(name, command, workdir)


# varnish/default.vcl's one backend, the line an owner changes.
VARNISH_BACKEND = '.host = "127.0.0.1"; .port = "8000";'


def varnish_server(workdir, vcl, backend_port, *options, name="varnishd"):
    """A varnishd on a free loopback port running `vcl` (the baked varnish/default.vcl's
    text) in front of 127.0.0.1:backend_port, in workdir (its -n); not started yet."""
    # Debian keeps varnishd in /usr/sbin, off most users' PATH.
    program = shutil.which("varnishd", path="/usr/sbin") or require_program("varnishd", "varnish")
    assert VARNISH_BACKEND in vcl, f"the VCL's backend is no longer {VARNISH_BACKEND}"
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    vcl_file = workdir / "default.vcl"
    backend = VARNISH_BACKEND.replace('"8000"', f'"{backend_port}"')
    vcl_file.write_text(vcl.replace(VARNISH_BACKEND, backend), encoding="utf-8")

    def command(port):
        # -j none: no separate users for the compiler and workers, which could not
        # read the test's private temporary directory when the tests run as root.
        return [
            *(program, "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl_file), "-j", "none"),
            *("-n", str(workdir / "instance"), "-T", "none", "-s", "malloc,32m", *options),
        ]

    return Server(name, command, workdir)


def get(url, headers=None):
    """(status, headers, body) of one GET."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def junk_request(number, rng, paths):
    """(path, headers) of request `number` of a flood: what a site meets in its first week.

    In turn: random query strings (tracking links, made-up parameters), random
    ports on an allowed host, made-up session cookies, header values of every kind.
    """
    path = paths[number % len(paths)]
    kind, word = number % 4, "".join(rng.choices(string.ascii_lowercase, k=8))
    if kind == 0:
        query = rng.choice([f"utm_source={word}&fbclid={word}", f"q={word}", f"{word}=1"])
        return f"{path}?{query}", {}
    if kind == 1:
        return path, {"Host": f"127.0.0.1:{rng.randrange(1, 65536)}"}
    if kind == 2:
        return path, {"Cookie": f"sessionid={word}{number}; _ga=GA1.1.{number}"}
    return path, {
        "User-Agent": f"crawler/{word}",
        "Accept-Language": f"{word[:2]};q=0.9",
        "Accept-Encoding": rng.choice(["gzip", "br", "zstd", word]),
        "X-Session-Cookie": word,
    }


# The request line and status in a server's access log: "GET /recipes/ HTTP/1.1" 304
ACCESS_LINE = r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[0-9.]+" (?P<status>[0-9]{3})'


@contextmanager
def serve(command, port, project, env, name, log=None):
    """Run a web server command that listens on port; yield its base URL, then stop it.

    What it prints on stderr goes where the caller's stderr goes (pytest shows it
    with a failing test); its access log on stdout is dropped. With log (a path),
    all it prints is appended there instead, access log included, for a test to
    read (ACCESS_LINE matches a request) and to show in a failure.
    """
    with open(log or os.devnull, "a", encoding="utf-8") as output:
        server = subprocess.Popen(
            command,
            cwd=project,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT if log else None,
        )
    try:
        wait_for_port(port, server, name, timeout=30, log=log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def gunicorn(project, env, python=PYTHON, workers=1, log=None, app="config.wsgi:application"):
    """Serve the baked project with gunicorn on a free port; yield its base URL.

    More options (worker class, threads, log level) through env's GUNICORN_CMD_ARGS;
    log as for serve().
    """
    port = free_port()
    # The baked gunicorn.conf.py, as the baked README's production command uses it.
    command = [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", app]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with serve(command, port, project, env, "gunicorn", log) as url:
        yield url


@contextmanager
def uvicorn(project, env, python=PYTHON, workers=1, log=None):
    """Serve the baked project over ASGI (config.asgi) with uvicorn; yield its base URL."""
    port = free_port()
    command = [python, "-m", "uvicorn", "config.asgi:application", "--log-level", "warning"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with serve(command, port, project, env, "uvicorn", log) as url:
        yield url


def memcached_items(port):
    """How many items one memcached server holds, from its `stats`."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        connection.sendall(b"stats\r\n")
        reply = b""
        while not reply.endswith(b"END\r\n"):
            reply += connection.recv(65536)
    stats = dict(line.split()[1:3] for line in reply.decode().splitlines() if line.count(" ") == 2)
    return int(stats["curr_items"])


def postgres_program(program):
    """initdb or pg_ctl: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which(program) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), reverse=True)), None
    )
    if found is None:
        raise StepFailed(
            f"{program} is not installed; the tests need a real PostgreSQL: "
            "apt-get install -y postgresql (or brew install postgresql)"
        )
    return found


class Postgres:
    """A throwaway PostgreSQL cluster: initdb and pg_ctl in a temporary directory.

    As root, PostgreSQL refuses to run, so its programs run as the postgres user,
    in a directory that user owns.
    """

    def __init__(self, workdir, password):
        self.workdir = Path(workdir)
        self.password = password
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres"

    def pg(self, program, *arguments):
        command = [*self.as_postgres, postgres_program(program), *arguments]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            log = self.workdir / "postgres.log"
            raise StepFailed(
                f"`{' '.join(command)}` exited {result.returncode}\n{result.stdout}{result.stderr}"
                + (log.read_text() if log.exists() else "")
            )

    def start(self):
        if self.as_postgres:
            shutil.chown(self.workdir, "postgres", "postgres")
        password_file = self.workdir / "password"
        password_file.write_text(self.password)
        if self.as_postgres:
            shutil.chown(password_file, "postgres", "postgres")
        data = str(self.workdir / "data")
        self.pg(
            "initdb",
            "-D",
            data,
            "-U",
            self.user,
            "-A",
            "scram-sha-256",
            f"--pwfile={password_file}",
            "-E",
            "UTF8",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir}"
        log = str(self.workdir / "postgres.log")
        self.pg("pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        return self

    def stop(self):
        self.pg("pg_ctl", "-D", str(self.workdir / "data"), "-m", "fast", "-w", "stop")

    def create_database(self, name):
        """Create an empty database; return its DATABASE_URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def url(self, database):
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"
