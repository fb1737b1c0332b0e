"""A baked project is ready to deploy: static files, gunicorn, setup messages, clear failures."""

import gzip
import json
import re
import subprocess
import urllib.request

import pytest

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    answers_id,
    free_port,
    get,
    gunicorn,
    run,
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


def test_production_serves_hashed_static_files_for_a_year(cookies):
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
