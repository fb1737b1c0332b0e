"""Baked projects pass their own test suites against real servers, and really serve."""

import os
import sys
import venv

import pytest
from packaging.utils import canonicalize_name

from tests.support import (
    BACKENDS,
    LEVELS,
    PYTHON,
    answers_for,
    answers_id,
    get,
    gunicorn,
    prepare,
    run,
    with_varnish,
)

pytestmark = pytest.mark.slow

# Every backend with all levels on, with each level alone, and with none.
SUITES = [
    answers_for(backend, levels)
    for backend in BACKENDS
    for levels in [set(LEVELS), *({level} for level in LEVELS), set()]
] + [
    with_varnish(answers_for("redis", set(LEVELS))),
    with_varnish(answers_for("memcached", {"cache_per_view"})),
]


@pytest.mark.parametrize("answers", SUITES, ids=answers_id)
def test_baked_suite_passes(bake, backend_env, answers):
    project = bake(answers)
    result = run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        backend_env(answers["cache_backend"]),
    )
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_baked_site_serves_cached_pages_over_http(bake, backend_env, backend):
    """Bake with every level on, set up as the README says, serve with gunicorn."""
    project = bake(answers_for(backend, set(LEVELS)))
    env = backend_env(backend)
    prepare(project, env, cache_table=backend == "db")
    with gunicorn(project, env) as site:
        url = f"{site}/recipes/"
        first_status, first_headers, first_body = get(url)
        second_status, second_headers, second_body = get(url)
        assert first_status == second_status == 200
        assert "Tomato soup #1" in first_body
        assert "Age" not in first_headers
        assert "Age" in second_headers, f"{backend}: second visit was not served from the cache"
        assert second_body == first_body


def pinned_versions(project):
    """{name: version} of the name==version lines of the baked requirements files."""
    pins = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (project / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                package, version = line.split("==")
                pins[canonicalize_name(package)] = version
    return pins


def test_bake_installs_into_a_fresh_venv_and_passes(bake, backend_env, tmp_path):
    """Only the baked requirements-dev.txt: a missing dependency fails here, and
    the install is exactly the pins, with nothing left for pip to choose."""
    backend = "redis"
    project = bake(answers_for(backend, set(LEVELS)))
    venv_dir = tmp_path / "venv"
    venv.create(venv_dir, with_pip=True)
    python = str(venv_dir / "bin" / "python")
    env = backend_env(backend)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run(
        [python, "-m", "pip", "install", "-q", "-r", "requirements-dev.txt"],
        project,
        env,
        timeout=900,
    )
    run([python, "-m", "pip", "check"], project, env)
    frozen = run([python, "-m", "pip", "freeze", "--all"], project, env).stdout.split()
    installed = dict(line.split("==") for line in frozen)
    installed = {canonicalize_name(name): version for name, version in installed.items()}
    for tool in ("pip", "setuptools", "wheel"):  # the venv's own, not the project's
        installed.pop(tool, None)
    assert installed == pinned_versions(project)
    prepare(project, env, python=python)
    result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert " passed" in result.stdout, result.stdout
    assert (
        sys.prefix
        not in run([python, "-c", "import django; print(django.__file__)"], project, env).stdout
    )
