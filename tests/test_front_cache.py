"""front_cache=varnish: the baked varnish/default.vcl on a real varnishd, in front of gunicorn.

One bake for the module (Redis, per-site caching, production mode behind a TLS
proxy), served by gunicorn with two Varnish instances in front, as FRONT_CACHE_URLS
lists them. What the VCL does alone (Set-Cookie, private, no-store, grace, the
503 page, 304s, the ACL) is proven in front of a small origin of the test's own,
whose answers the test chooses and counts. Whether a request reached the backend
is read from Varnish's X-Varnish header (two ids on a hit) and the backend's own
count, never from time.
"""

import http.client
import http.server
import re
import secrets
import socket
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import pytest

from tests import support
from tests.support import ACCESS_LINE, PYTHON, answers_for, gunicorn, run, with_varnish
from tests.test_traffic import visitor_cookie

pytestmark = pytest.mark.slow

ANSWERS = with_varnish(answers_for("redis", {"cache_per_site", "cache_template_fragment"}))
HTTPS = {"X-Forwarded-Proto": "https"}  # What the TLS proxy in front of Varnish adds.
PASSWORD = "a-long-test-password-" + secrets.token_hex(4)


def request(base, path, headers=None, method="GET", body=None):
    """(status, headers, body) of one request, redirects not followed."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


def was_hit(headers):
    """Varnish answered from its store: X-Varnish holds this request's id and the object's."""
    return len(headers["X-Varnish"].split()) == 2


def backend_requests(site, path):
    """How many requests for path (with any query string) gunicorn has logged, all written out.

    gunicorn runs one sync worker: once it has logged a marker request of the
    test's own, it has logged every request before it.
    """
    marker = f"/healthz?mark={secrets.token_hex(4)}"
    request(site.gunicorn, marker)
    for _ in range(200):
        lines = [m.groupdict() for m in re.finditer(ACCESS_LINE, site.log.read_text())]
        if any(line["path"] == marker for line in lines):
            return sum(line["path"].split("?")[0] == path for line in lines)
        time.sleep(0.05)
    raise AssertionError(f"gunicorn never logged {marker}:\n{site.log.read_text()[-3000:]}")


def edit_recipe(site, *names, urls=None):
    """Rename recipe 1 to each name in turn, in a process of its own, as an editor's
    saves are; what it logged."""
    code = "from recipes.models import Recipe; recipe = Recipe.objects.get(pk=1)\n"
    code += "".join(f"recipe.name = {name!r}; recipe.save()\n" for name in names)
    env = {**site.env, "FRONT_CACHE_URLS": ",".join(urls if urls is not None else site.varnishes)}
    return run([PYTHON, "manage.py", "shell", "-c", code], site.project, env).stderr


def vcl_of(project):
    return (project / "varnish" / "default.vcl").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("front-cache")
    project = support.bake(ANSWERS, workdir / "bake")
    with ExitStack() as stack:
        redis = support.redis_server(workdir / "redis").start()
        stack.callback(redis.stop)
        env = support.backend_env(
            "redis",
            port=redis.port,
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY="x" * 20 + "-not-a-real-secret-but-long-enough-for-django-checks",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        run([PYTHON, "manage.py", "collectstatic", "--no-input"], project, env)
        support.prepare(project, env, recipes=5)
        create_user = "from django.contrib.auth.models import User; "
        create_user += f"User.objects.create_user('cook', password={PASSWORD!r})"
        run([PYTHON, "manage.py", "shell", "-c", create_user], project, env)
        log = workdir / "gunicorn.log"
        backend = stack.enter_context(gunicorn(project, env, log=log))
        port = int(backend.rsplit(":", 1)[1])
        varnishes = []
        for name in ("varnish-a", "varnish-b"):
            server = support.varnish_server(
                workdir / name, vcl_of(project), port, name=name
            ).start()
            stack.callback(server.stop)
            varnishes.append(f"http://127.0.0.1:{server.port}")
        yield SimpleNamespace(
            project=project, env=env, log=log, gunicorn=backend, varnishes=varnishes
        )


# 2. Shared by real visitors.


def test_twenty_visitors_with_other_cookies_share_the_stored_page(site):
    front = site.varnishes[0]
    path = "/recipes/2/"
    before = backend_requests(site, path)
    cookies = [visitor_cookie(n, with_csrf_token=True) for n in range(20)]
    answers = [request(front, path, {**HTTPS, "Cookie": cookie}) for cookie in cookies]
    reached = backend_requests(site, path) - before
    assert [status for status, _, _ in answers] == [200] * 20
    assert reached <= 2, f"{reached} of 20 anonymous visitors with cookies reached Django"
    assert sum(was_hit(headers) for _, headers, _ in answers) >= 18
    assert all("csrfmiddlewaretoken" not in body for _, _, body in answers)


def test_visitors_from_campaign_links_share_the_stored_page(site):
    front = site.varnishes[0]
    path = "/recipes/5/"
    before = backend_requests(site, path)
    answers = [
        request(front, f"{path}?utm_source=mail{n}&fbclid={n}&utm_campaign=x", HTTPS)
        for n in range(20)
    ]
    reached = backend_requests(site, path) - before
    assert [status for status, _, _ in answers] == [200] * 20
    assert reached <= 2, f"{reached} of 20 visitors with tracking parameters reached Django"


# 4. Browsers and other caches are unchanged.


def test_browsers_see_what_they_saw_without_varnish(site):
    front = site.varnishes[0]
    request(front, "/recipes/3/", HTTPS)
    status, headers, _ = request(front, "/recipes/3/", HTTPS)
    assert status == 200 and was_hit(headers)
    assert headers["Cache-Control"] == "max-age=0, must-revalidate", dict(headers)
    assert "Surrogate-Control" not in headers and "X-Cache-Tags" not in headers


# 7. Conditional requests.


def test_varnish_answers_if_none_match_with_a_304_itself(site):
    front = site.varnishes[1]
    request(front, "/recipes/3/", HTTPS)
    status, headers, _ = request(front, "/recipes/3/", HTTPS)
    assert was_hit(headers) and headers["ETag"], dict(headers)
    before = backend_requests(site, "/recipes/3/")
    status, headers, body = request(
        front, "/recipes/3/", {**HTTPS, "If-None-Match": headers["ETag"]}
    )
    assert status == 304 and body == "" and was_hit(headers)
    assert backend_requests(site, "/recipes/3/") == before


# 3. Never stored at the front.


def sign_in(front):
    """Sign in as the test's user through Varnish, as a browser does; the cookies."""
    status, headers, body = request(front, "/accounts/login/", HTTPS)
    assert status == 200 and not was_hit(headers)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = f"username=cook&password={PASSWORD}&csrfmiddlewaretoken={token}"
    status, headers, _ = request(
        front,
        "/accounts/login/",
        {
            **HTTPS,
            "Cookie": f"csrftoken={csrf_cookie}; _ga=GA1.1.1.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{front.removeprefix('http://')}/accounts/login/",
        },
        method="POST",
        body=form,
    )
    # A form post keeps its cookies through Varnish: Django's CSRF check passed.
    assert status == 302, f"sign-in answered {status}: {headers}"
    session = re.search(r"sessionid=([^;]+)", " ".join(headers.get_all("Set-Cookie") or []))
    assert session, dict(headers)
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def test_a_signed_in_visitors_pages_are_never_stored(site):
    front = site.varnishes[0]
    cookies = sign_in(front)
    for _ in range(2):
        status, headers, body = request(front, "/recipes/4/", {**HTTPS, "Cookie": cookies})
        assert status == 200 and not was_hit(headers)
        assert "Signed in as <strong>cook</strong>" in body
    status, headers, body = request(front, "/recipes/4/", HTTPS)
    assert "cook" not in body and "csrfmiddlewaretoken" not in body


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_login_and_admin_pages_are_never_stored(site, path):
    front = site.varnishes[0]
    before = backend_requests(site, path)
    for _ in range(3):
        status, headers, body = request(front, path, HTTPS)
        assert status == 200 and not was_hit(headers)
        assert "csrfmiddlewaretoken" in body  # A CSRF token of this visitor's own.
    assert backend_requests(site, path) - before == 3


def test_a_post_goes_to_django_with_its_cookies(site):
    front = site.varnishes[0]
    request(front, "/recipes/5/", HTTPS)  # Stored for GET.
    before = backend_requests(site, "/recipes/5/")
    for _ in range(2):
        status, headers, _ = request(
            front, "/recipes/5/", {**HTTPS, "Cookie": "csrftoken=x"}, method="POST", body=""
        )
        assert not was_hit(headers)
    assert backend_requests(site, "/recipes/5/") - before == 2


def test_http_and_https_never_share_an_entry(site):
    front = site.varnishes[1]
    path = "/recipes/1/"
    for _ in range(2):  # Plain HTTP first: Django's redirect, never stored.
        status, headers, _ = request(front, path)
        assert status == 301 and headers["Location"].startswith("https://")
    for _ in range(2):
        status, headers, body = request(front, path, HTTPS)
        assert status == 200 and "<html" in body.lower()
    assert was_hit(headers)
    status, headers, _ = request(front, path)
    assert status == 301, "the HTTPS page reached a plain-HTTP request"


# 5. Fresh.


def test_an_edit_shows_on_the_next_request_through_every_varnish(site):
    pages = ["/recipes/", "/recipes/1/"]
    for front in site.varnishes:
        for page in pages:
            request(front, page, HTTPS)
            status, headers, _ = request(front, page, HTTPS)
            assert was_hit(headers), f"{front}{page} was not stored"
    name = f"Freshly renamed {secrets.token_hex(3)}"
    edit_recipe(site, name)
    for front in site.varnishes:
        for page in pages:
            status, headers, body = request(front, page, HTTPS)
            assert status == 200 and name in body, f"{front}{page} still shows the old name"


@contextmanager
def hung_varnish():
    """A base URL whose server accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_hung_varnish_is_logged_once_and_the_others_still_hear(site):
    front = site.varnishes[0]
    request(front, "/recipes/", HTTPS)
    names = [f"Renamed past a hung Varnish {n} {secrets.token_hex(3)}" for n in range(2)]
    with hung_varnish() as hung:
        said = edit_recipe(site, *names, urls=[hung, front])  # Two saves, two bans.
    status, headers, body = request(front, "/recipes/", HTTPS)
    assert names[-1] in body, "a hung Varnish kept the next one from hearing of the edit"
    lines = [line for line in said.splitlines() if hung in line]
    assert len(lines) == 1 and "did not answer within 0.5 s" in lines[0], said


def test_a_dead_varnish_is_logged(site):
    dead = f"http://127.0.0.1:{support.free_port()}"
    said = edit_recipe(site, f"Renamed past a dead Varnish {secrets.token_hex(3)}", urls=[dead])
    assert [line for line in said.splitlines() if dead in line], said


def test_a_ban_relayed_by_the_tls_proxy_is_refused(site):
    front = site.varnishes[0]
    request(front, "/recipes/2/", HTTPS)
    ban = {"X-Ban-Tag": "recipes"}
    # Relayed by the TLS proxy on the same machine: a visitor's, refused.
    status, _, _ = request(front, "/", {**ban, **HTTPS}, method="BAN")
    assert status == 405
    status, headers, _ = request(front, "/recipes/2/", HTTPS)
    assert was_hit(headers)


# What the VCL does alone, in front of an origin of the test's own.

# path -> the headers the origin answers with; every one with a body and an ETag.
SURROGATE = {"Surrogate-Control": "max-age=60", "X-Cache-Tags": "recipes"}
ORIGIN_PAGES = {
    "/shared": SURROGATE,
    "/short": {**SURROGATE, "Surrogate-Control": "max-age=1"},
    "/unmarked": {"Cache-Control": "max-age=600"},
    "/set-cookie": {**SURROGATE, "Set-Cookie": "theme=dark; Path=/"},
    "/private": {**SURROGATE, "Cache-Control": "private, max-age=0"},
    "/no-store": {**SURROGATE, "Cache-Control": "no-store"},
}


class Origin(http.server.ThreadingHTTPServer):
    """Answers ORIGIN_PAGES and counts the requests for each path."""

    def __init__(self):
        self.counts = Counter()
        super().__init__(("127.0.0.1", 0), OriginHandler)


class OriginHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.counts[self.path] += 1
        headers = ORIGIN_PAGES.get(self.path)
        body = f"page {self.path}".encode()
        self.send_response(200 if headers is not None else 404)
        # A new connection each time: once the origin stops, nothing answers.
        self.close_connection = True
        for name, value in {**(headers or {}), "ETag": '"v1"', "Connection": "close"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@contextmanager
def origin_with_varnish(tmp_path, vcl):
    origin = Origin()
    thread = threading.Thread(target=origin.serve_forever, daemon=True)
    thread.start()
    server = support.varnish_server(tmp_path / "varnish", vcl, origin.server_address[1])
    try:
        server.start()
        yield origin, f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        origin.shutdown()
        origin.server_close()


@pytest.fixture
def origin(site, tmp_path):
    with origin_with_varnish(tmp_path, vcl_of(site.project)) as (origin, front):
        yield origin, front


def test_a_marked_page_is_stored_and_answers_if_none_match_itself(origin):
    origin, front = origin
    for _ in range(3):
        status, headers, _ = request(front, "/shared")
        assert status == 200
    assert origin.counts["/shared"] == 1
    status, headers, body = request(front, "/shared", {"If-None-Match": '"v1"'})
    assert status == 304 and body == "" and was_hit(headers)
    assert origin.counts["/shared"] == 1


@pytest.mark.parametrize("path", ["/unmarked", "/set-cookie", "/private", "/no-store"])
def test_a_response_not_for_everyone_is_never_stored(origin, path):
    origin, front = origin
    for _ in range(3):
        request(front, path)
    assert origin.counts[path] == 3


def test_anything_but_get_and_head_goes_to_the_origin(origin):
    origin, front = origin
    request(front, "/shared")
    for _ in range(2):
        request(front, "/shared", method="POST", body="x")
    assert origin.counts["/shared"] == 3


def test_only_the_acl_may_ban(site, tmp_path):
    vcl = vcl_of(site.project)
    acl = '    "127.0.0.1";\n    "::1";\n'
    assert acl in vcl, "the VCL's ACL changed: update this test"
    elsewhere = vcl.replace(acl, '    "127.0.0.2";\n')
    with origin_with_varnish(tmp_path, elsewhere) as (origin, front):
        request(front, "/shared")
        status, _, _ = request(front, "/", {"X-Ban-Tag": "recipes"}, method="BAN")
        assert status == 405
        request(front, "/shared")
        assert origin.counts["/shared"] == 1
    with origin_with_varnish(tmp_path / "allowed", vcl) as (origin, front):
        request(front, "/shared")
        status, _, _ = request(front, "/", {"X-Ban-Tag": "recipes"}, method="BAN")
        assert status == 200
        request(front, "/shared")
        assert origin.counts["/shared"] == 2


def test_with_the_origin_down_stored_pages_are_served_and_others_get_a_short_503(origin):
    origin, front = origin
    request(front, "/shared")
    request(front, "/short")
    time.sleep(1.5)  # /short is now past its time, within its grace.
    origin.shutdown()
    origin.server_close()
    for path in ("/shared", "/short"):
        status, headers, body = request(front, path)
        assert status == 200 and body == f"page {path}", (path, status, body)
    status, headers, body = request(front, "/never-stored")
    assert status == 503 and "Back soon" in body and len(body) < 400
    assert "Traceback" not in body and headers["Cache-Control"] == "no-store"
