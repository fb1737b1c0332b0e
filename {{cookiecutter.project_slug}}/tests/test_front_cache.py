"""Varnish in front: which pages it may keep, and the ban Django sends after an edit.

What Varnish itself does with these headers and bans (varnish/default.vcl) is
proven by the template's tests on a real varnishd; these check Django's side
(caching/front_cache.py), with a real socket standing in for each Varnish.
"""

import logging
import socket
import threading

import pytest
from django.core.checks import run_checks
from django.http import HttpResponse
from django.test import RequestFactory

from caching import front_cache
from caching.pages import SESSION_HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(recipes):
    return f"/recipes/{recipes[0].pk}/"


def test_a_shared_page_tells_varnish_alone_how_long_to_keep_it(client, page, settings):
    for _ in range(2):  # Built, then from the page cache.
        response = client.get(page)
        assert response["Surrogate-Control"] == f"max-age={settings.FRONT_CACHE_SECONDS}"
        assert response["X-Cache-Tags"] == "recipes"
        assert response["Cache-Control"] == "max-age=0, must-revalidate"


def test_a_signed_in_visitors_page_is_not_for_varnish(admin_client, page):
    assert "Surrogate-Control" not in admin_client.get(page)


def test_a_page_with_a_csrf_token_is_not_for_varnish(client):
    assert "Surrogate-Control" not in client.get("/accounts/login/")


def test_a_query_string_is_not_for_varnish(client, page):
    assert "Surrogate-Control" not in client.get(page + "?sort=name")


def test_a_tracking_parameter_is_dropped_and_the_page_shared(client, page):
    assert "Surrogate-Control" in client.get(page + "?utm_source=mail&fbclid=x")


def test_a_post_is_not_for_varnish(client, page):
    assert "Surrogate-Control" not in client.post(page)


def shared_page():
    """A page as the page cache hands it on: stored for visitors without a session."""
    response = HttpResponse("a page")
    response["Vary"] = SESSION_HEADER
    return response


def setting_a_cookie(response):
    response.set_cookie("theme", "dark")


@pytest.mark.parametrize(
    "change",
    [
        setting_a_cookie,
        lambda response: response.__setitem__("Cache-Control", "private"),
        lambda response: response.__setitem__("Cache-Control", "no-store"),
        lambda response: response.__setitem__("Cache-Control", "max-age=0, no-cache"),
    ],
    ids=["set-cookie", "private", "no-store", "no-cache"],
)
def test_a_response_for_one_visitor_is_not_for_varnish(change):
    request = RequestFactory().get("/recipes/")
    response = shared_page()
    assert front_cache.shared_with_everyone(request, response)
    change(response)
    assert not front_cache.shared_with_everyone(request, response)


class FakeVarnish:
    """A TCP server on a free loopback port that records requests and answers `status`.

    With status None it accepts connections and never answers, like a hung Varnish.
    """

    def __init__(self, status=200):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests = []
        if status is not None:
            threading.Thread(target=self.answer, args=(status,), daemon=True).start()

    def answer(self, status):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.requests.append(connection.recv(4096).decode())
                connection.sendall(f"HTTP/1.1 {status} OK\r\nContent-Length: 0\r\n\r\n".encode())

    def close(self):
        self.listener.close()


@pytest.fixture
def varnishes(settings, monkeypatch):
    """start(status=200) -> a FakeVarnish listed in FRONT_CACHE_URLS."""
    monkeypatch.setattr(front_cache, "_unanswered", set())
    settings.FRONT_CACHE_URLS = []
    started = []

    def start(status=200):
        varnish = FakeVarnish(status)
        started.append(varnish)
        settings.FRONT_CACHE_URLS = [*settings.FRONT_CACHE_URLS, varnish.url]
        return varnish

    yield start
    for varnish in started:
        varnish.close()


def test_an_edit_bans_its_pages_on_every_varnish_after_the_commit(
    recipes, varnishes, django_capture_on_commit_callbacks
):
    listed = [varnishes(), varnishes()]
    with django_capture_on_commit_callbacks() as callbacks:
        recipes[0].save()
    assert [varnish.requests for varnish in listed] == [[], []], "banned before the commit"
    for callback in callbacks:
        callback()
    for varnish in listed:
        (ban,) = varnish.requests
        assert ban.startswith("BAN / HTTP/1.1\r\n") and "\r\nX-Ban-Tag: recipes\r\n" in ban


def test_a_varnish_that_does_not_answer_is_logged_once(varnishes, caplog):
    hung, other = varnishes(status=None), varnishes()
    assert front_cache.BAN_SECONDS == 0.5  # Each Varnish gets this long, in all.
    with caplog.at_level(logging.WARNING, logger="caching"):
        front_cache.ban("recipes")
        front_cache.ban("recipes")
    (warning,) = [record.getMessage() for record in caplog.records]
    assert hung.url in warning and "did not answer within 0.5 s" in warning
    assert len(other.requests) == 2


def test_a_varnish_that_refuses_is_logged(varnishes, caplog):
    refusing = varnishes(status=405)
    with caplog.at_level(logging.WARNING, logger="caching"):
        front_cache.ban("recipes")
    assert f"{refusing.url} refused the ban with status 405" in caplog.text


def check_ids(**kwargs):
    return [message.id for message in run_checks(**kwargs) if message.id.startswith("caching.")]


def test_deploy_check_warns_when_no_varnish_is_told(settings):
    settings.FRONT_CACHE_URLS = []
    assert "caching.W003" in check_ids(include_deployment_checks=True)
    settings.FRONT_CACHE_URLS = ["http://127.0.0.1:6081"]
    assert "caching.W003" not in check_ids(include_deployment_checks=True)


@pytest.mark.parametrize("url", ["https://10.0.0.7:6081", "10.0.0.7:6081", "http://h:port"])
def test_a_url_the_ban_cannot_use_is_an_error(settings, url):
    settings.FRONT_CACHE_URLS = [url]
    assert check_ids() == ["caching.E007"]
