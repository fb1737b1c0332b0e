"""What the template's tests share: the answers to bake, servers, and running commands."""

import shutil
import socket
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parent.parent
BACKENDS = ["locmem", "redis", "memcached", "db", "file"]
LEVELS = ["cache_per_site", "cache_per_view", "cache_template_fragment", "cache_low_level"]
SHORT = {
    "cache_per_site": "per_site",
    "cache_per_view": "per_view",
    "cache_template_fragment": "fragment",
    "cache_low_level": "low_level",
}
SLUG = "recipe_site"


def answers_for(backend, levels):
    """The cookiecutter answers for one backend and a set of enabled levels."""
    return {"cache_backend": backend, **{level: level in levels for level in LEVELS}}


def answers_id(answers):
    """A readable test id: backend:redis-per_site:True-..."""
    parts = [f"backend:{answers['cache_backend']}"]
    parts += [f"{SHORT[level]}:{answers[level]}" for level in LEVELS]
    return "-".join(parts)


ALL_COMBINATIONS = [
    answers_for(backend, {level for level, on in zip(LEVELS, flags, strict=True) if on})
    for backend in BACKENDS
    for flags in product([False, True], repeat=len(LEVELS))
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, name, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within {timeout}s")


def require_program(program, package):
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"{program} is not installed; the tests need a real server: "
            f"apt-get install -y {package} (or brew install {package})",
            pytrace=False,
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

    def start(self):
        self.process = subprocess.Popen(
            self.command_for_port(self.port),
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, self.name)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run(command, cwd, env, timeout=600):
    """Run a command; on failure, fail the test with what the user would see."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(map(str, command))}` in {cwd} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}",
            pytrace=False,
        )
    return result


PYTHON = sys.executable
