"""Two server processes share one real cache: an edit made through one shows through the other.

Run over real HTTP: two servers on the same database and cache, a superuser
edits a recipe in the admin of the first, and the very next request to the
second shows the change, for every shared backend with every level on, served
by gunicorn (config/wsgi.py) and by uvicorn (config/asgi.py).
"""

import http.cookiejar
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    answers_id,
    gunicorn,
    prepare,
    run,
    uvicorn,
)

pytestmark = pytest.mark.slow

SHARED_BACKENDS = ["redis", "memcached", "db", "file"]
ADMIN_PASSWORD = "a-test-only-password-1234"


# Each server as the README serves it: gunicorn runs config.wsgi, uvicorn config.asgi.
SERVERS = {"gunicorn": gunicorn, "uvicorn": uvicorn}


class FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in {"submit", "checkbox"}:
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


class Browser:
    """A visitor with cookies, talking HTTP to one server."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()

    def submit(self, path, changes):
        """Fill in the form at path like a person would, change some fields, post it."""
        form = FormFields()
        form.feed(self.get(path)[2])
        data = urllib.parse.urlencode({**form.fields, **changes}).encode()
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()


@pytest.mark.parametrize("server", ["gunicorn", "uvicorn"])
@pytest.mark.parametrize(
    "answers", [answers_for(b, set(LEVELS)) for b in SHARED_BACKENDS], ids=answers_id
)
def test_edit_through_one_process_shows_through_the_other(
    cookies, backend_env, own_cache_server, tmp_path, answers, server
):
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    project, backend = result.project_path, answers["cache_backend"]
    env = {**backend_env(backend), "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
    # A cache server of this test's own: the same answers served by the other server
    # have the same keys, and the renamed recipe must not be what this test starts from.
    if backend == "redis":
        env["REDIS_URL"] = f"redis://127.0.0.1:{own_cache_server(backend).port}/0"
    elif backend == "memcached":
        env["MEMCACHED_SERVERS"] = f"127.0.0.1:{own_cache_server(backend).port}"
    prepare(project, env, recipes=5, cache_table=backend == "db")
    run(
        [
            PYTHON,
            "manage.py",
            "createsuperuser",
            "--no-input",
            "--username",
            "chef",
            "--email",
            "chef@example.com",
        ],
        project,
        env,
    )

    # All both servers print goes to one log, shown when an assertion fails.
    log, serve = tmp_path / f"{server}.log", SERVERS[server]
    with serve(project, env, log=log) as first_site, serve(project, env, log=log) as second_site:
        first, second = Browser(first_site), Browser(second_site)
        pages = ["/recipes/", "/recipes/1/"]
        for browser in (first, second):  # fill the cache from both processes
            for page in pages:
                browser.get(page)
        status, headers, before = second.get("/recipes/")
        assert "Age" in headers, (
            f"{backend} under {server}: the second process did not serve /recipes/ from the "
            f"cache (no Age header)\n{log.read_text()[-3000:]}"
        )
        assert "Tomato soup #1" in before

        admin = Browser(first_site)
        admin.submit("/admin/login/?next=/admin/", {"username": "chef", "password": ADMIN_PASSWORD})
        status, landed, body = admin.submit(
            "/admin/recipes/recipe/1/change/", {"name": "Tomato soup, renamed"}
        )
        assert landed.endswith("/admin/recipes/recipe/"), (
            f"admin edit under {server} failed:\n{body[-2000:]}\n{log.read_text()[-3000:]}"
        )

        for page in pages:
            status, headers, after = second.get(page)
            assert status == 200
            assert "Tomato soup, renamed" in after, (
                f"{backend} under {server}: right after the edit through one process, "
                f"{page} on the other still shows the old name"
            )
