"""A baked project is ready to deploy: static files, gunicorn, setup messages, clear failures."""

import gzip
import json
import re
import subprocess
import urllib.request

import pytest
from redis import Redis

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    answers_id,
    free_port,
    get,
    gunicorn,
    memcached_items,
    run,
    run_baked_suite,
    site_env,
    wait_for_port,
)

pytestmark = pytest.mark.slow

STYLESHEET = "admin/css/base.css"
A_YEAR = 365 * 24 * 3600


def bake(cookies, answers):
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == 0, f"bake with {answers_id(answers)} failed: {result.exception}"
    return result.project_path


def production_env(**variables):
    """What a deploy sets: production mode, a secret key, the site's host name."""
    return site_env(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 20 + "-not-a-real-secret-but-long-enough-for-django-checks",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        **variables,
    )


def max_age(headers):
    found = re.search(r"max-age=(\d+)", headers.get("Cache-Control", ""))
    return int(found.group(1)) if found else None


def test_production_serves_hashed_static_files_as_immutable(cookies):
    """After collectstatic, gunicorn (the README's command) serves the admin's hashed CSS."""
    project = bake(cookies, answers_for("locmem", set(LEVELS)))
    env = production_env()
    run([PYTHON, "manage.py", "collectstatic", "--no-input"], project, env)
    manifest = json.loads((project / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"][STYLESHEET]
    assert hashed != STYLESHEET and hashed.startswith("admin/css/base."), hashed
    run([PYTHON, "manage.py", "migrate", "--no-input"], project, env)

    https = {"X-Forwarded-Proto": "https"}
    with gunicorn(project, env) as site:
        status, headers, body = get(f"{site}/static/{hashed}", https)
        assert status == 200
        assert "text/css" in headers["Content-Type"]
        assert "immutable" in headers["Cache-Control"], headers
        assert max_age(headers) >= A_YEAR, headers

        # Compressed when the browser accepts it.
        request = urllib.request.Request(
            f"{site}/static/{hashed}", headers={**https, "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip", dict(response.headers)
            assert gzip.decompress(response.read()).decode() == body

        # Pages link to the hashed names, so a new release is fetched at once.
        status, _, login_page = get(f"{site}/admin/login/", https)
        assert status == 200 and f"/static/{hashed}" in login_page

        # An unhashed name is still served, but not cached for long.
        status, headers, _ = get(f"{site}/static/{STYLESHEET}", https)
        assert status == 200 and max_age(headers) < A_YEAR, headers


@pytest.mark.parametrize("debug", ["false", "true"])
def test_runserver_serves_static_files_in_development(cookies, debug):
    """No collectstatic in development, and DJANGO_DEBUG does not matter."""
    project = bake(cookies, answers_for("locmem", set()))
    env = site_env(DJANGO_DEBUG=debug)  # the baked .env says development
    port = free_port()
    command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, server, "runserver", timeout=20)
        status, headers, body = get(f"http://127.0.0.1:{port}/static/{STYLESHEET}")
        assert status == 200 and "text/css" in headers["Content-Type"]
        assert not (project / "staticfiles").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_conf_sets_the_workers_and_logs_each_request(cookies, tmp_path):
    """The README's production command: workers from WEB_CONCURRENCY, one log line per request."""
    project = bake(cookies, answers_for("locmem", set()))
    env = production_env(WEB_CONCURRENCY="3")
    port = free_port()
    log = tmp_path / "access.log"
    command = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as stdout, (tmp_path / "error.log").open("w") as stderr:
        server = subprocess.Popen(command, cwd=project, env=env, stdout=stdout, stderr=stderr)
        try:
            wait_for_port(port, server, "gunicorn", timeout=20)
            status, _, _ = get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert re.search(r'"GET /healthz HTTP/1.1" 200 \d+ ', log.read_text()), log.read_text()
    errors = (tmp_path / "error.log").read_text()
    assert errors.count("Booting worker") == 3, errors


MISSING_SERVER = {
    "redis": (
        lambda port: {"REDIS_URL": f"redis://127.0.0.1:{port}/1"},
        "Redis is not reachable at redis://127.0.0.1:{port}/1: "
        "start it (see README) or set REDIS_URL",
    ),
    "memcached": (
        lambda port: {"MEMCACHED_SERVERS": f"127.0.0.1:{port}"},
        "memcached is not reachable at 127.0.0.1:{port}: "
        "start it (see README) or set MEMCACHED_SERVERS",
    ),
    "db": (
        lambda port: {"DATABASE_URL": f"postgres://postgres:secret@127.0.0.1:{port}/recipes"},
        "PostgreSQL is not reachable at 127.0.0.1:{port}: "
        "start it (see README) or set DATABASE_URL",
    ),
}


@pytest.mark.parametrize("backend", MISSING_SERVER)
def test_baked_suite_stops_with_one_line_when_its_server_is_missing(cookies, backend):
    project = bake(cookies, answers_for(backend, set(LEVELS)))
    variables, line = MISSING_SERVER[backend]
    port = free_port()  # Nothing listens on it.
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=site_env(**variables(port)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert line.format(port=port) in output, output
    assert "failed" not in output and "error" not in output.lower(), output
    assert "Traceback" not in output, output


def test_baked_suite_leaves_redis_as_it_found_it(cookies, redis_server):
    """Test entries, cachebench's and the recipes version keys (no expiry) are all gone."""
    project = bake(cookies, answers_for("redis", set(LEVELS)))
    developer = Redis(host="127.0.0.1", port=redis_server.port, db=7)
    developer.flushdb()
    developer.set("recipe_site:the-developers-own", "kept")
    run_baked_suite(project, site_env(REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/7"))
    assert [key.decode() for key in developer.scan_iter()] == ["recipe_site:the-developers-own"]
    developer.flushdb()
    developer.close()


def test_baked_suite_leaves_memcached_as_it_found_it(cookies, memcached_server):
    project = bake(cookies, answers_for("memcached", set(LEVELS)))
    before = memcached_items(memcached_server.port)
    run_baked_suite(project, site_env(MEMCACHED_SERVERS=f"127.0.0.1:{memcached_server.port}"))
    assert memcached_items(memcached_server.port) == before


def test_baked_suite_leaves_the_cache_directory_as_it_found_it(cookies, tmp_path):
    project = bake(cookies, answers_for("file", set(LEVELS)))
    cache_dir = tmp_path / "file-cache"
    cache_dir.mkdir()
    run_baked_suite(project, site_env(CACHE_DIR=str(cache_dir)))
    assert list(cache_dir.iterdir()) == []


def test_createcachetable_says_what_it_did_for_the_table_the_caches_share(cookies):
    project = bake(cookies, answers_for("db", {"cache_per_site", "cache_low_level"}))
    env = site_env()
    run([PYTHON, "manage.py", "migrate", "--no-input"], project, env)
    command = [PYTHON, "manage.py", "createcachetable"]
    first = run(command, project, env).stdout
    assert first == "Cache table 'django_cache' created (caches: default, shared_pages).\n"
    again = run(command, project, env).stdout
    assert again == "Cache table 'django_cache' already exists (caches: default, shared_pages).\n"
    run(
        [PYTHON, "manage.py", "check", "--database", "default", "--fail-level", "WARNING"],
        project,
        env,
    )
