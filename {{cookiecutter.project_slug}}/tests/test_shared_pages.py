"""Cached pages as browsers meet them: shared whatever cookies, fresh after an edit.

Whole pages are shared by anonymous visitors whatever other cookies they carry,
and whoever else visits signed in; pages of signed-in visitors, pages holding a
CSRF token or setting a cookie never are; browsers are told to check back on
every visit and get a 304 while nothing changed (caching/pages.py).
"""

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import include, path
{%- if cookiecutter.cache_per_view %}

from caching.pages import cache_page_for_anonymous

pytestmark = pytest.mark.django_db
{%- else %}

pytestmark = pytest.mark.django_db


def cache_page_for_anonymous(view):
    """The per-site cache caches every view: nothing to add."""
    return view
{%- endif %}


@cache_page_for_anonymous
def page_with_a_form(request):
    # What {% raw %}{% csrf_token %}{% endraw %} renders.
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


@cache_page_for_anonymous
def page_setting_a_cookie(request):
    response = HttpResponse("Dark theme saved")
    response.set_cookie("theme", "dark")
    return response


urlpatterns = [
    path("form/", page_with_a_form),
    path("theme/", page_setting_a_cookie),
    path("", include("config.urls")),
]


def visitor(number):
    """An anonymous visitor with cookies of their own that the site never reads."""
    client = Client()
    client.cookies["_ga"] = f"GA1.1.{number}.1700000000"
    client.cookies["theme"] = "dark" if number % 2 else "light"
    if number % 5 == 0:  # Once opened a form: a CSRF cookie.
        client.cookies["csrftoken"] = f"{number:032d}"
    return client


def test_visitors_with_other_cookies_share_one_copy(client, url, assert_no_recipe_queries):
    first = client.get(url)
    for number in range(10):
        with assert_no_recipe_queries():
            response = visitor(number).get(url)
        assert "Age" in response, f"visitor {number} with cookies {response.cookies} missed"
        assert response.content == first.content


@pytest.mark.urls(__name__)
def test_a_page_holding_a_csrf_token_is_never_shared():
    pages = [Client().get("/form/") for _ in range(2)]
    assert [("Age" in page) for page in pages] == [False, False]
    tokens = [page.text.split('value="')[1] for page in pages]
    assert tokens[0] != tokens[1]
    assert "private" in pages[0]["Cache-Control"]


@pytest.mark.urls(__name__)
def test_a_page_that_sets_a_cookie_is_never_shared():
    pages = [Client().get("/theme/") for _ in range(2)]
    assert [("Age" in page) for page in pages] == [False, False]
    assert pages[1].cookies["theme"].value == "dark"


def test_signed_in_pages_are_private(visitors, url):
    response = visitors["alice"].get(url)
    assert "private" in response["Cache-Control"]


def test_anonymous_visitors_share_a_page_among_signed_in_ones(
    visitors, url, assert_no_recipe_queries
):
    for _ in range(2):  # Twice round: every cache has had its chance to store.
        pages = {name: client.get(url) for name, client in visitors.items()}
    with assert_no_recipe_queries():
        again = visitors["anonymous"].get(url)
    assert again.content == pages["anonymous"].content


def test_browsers_are_told_to_check_back_every_visit(client, url):
    for response in [client.get(url), client.get(url)]:  # A miss, then a hit.
        assert response["Cache-Control"] == "max-age=0, must-revalidate"
        assert "Expires" not in response
        assert response["Vary"] == "Cookie"
        assert response["ETag"]
    assert "Age" in response


def test_browser_seconds_come_from_settings(client, url, settings):
    settings.CACHE_BROWSER_SECONDS = 30
    assert client.get(url)["Cache-Control"] == "max-age=30, must-revalidate"


def test_an_unchanged_page_is_a_304_and_an_edited_one_is_new(
    client, url, recipes, django_capture_on_commit_callbacks
):
    etag = client.get(url)["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    with django_capture_on_commit_callbacks(execute=True):
        recipes[0].name = "Renamed soup"
        recipes[0].save()
    edited = client.get(url, headers={"If-None-Match": etag})
    assert edited.status_code == 200
    assert "Renamed soup" in edited.text
    assert edited["ETag"] != etag
