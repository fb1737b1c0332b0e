"""Signed-in visitors: everyone sees their own page, and only their own."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitors(django_user_model):
    clients = {}
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, password=f"{name}-pw-0192")
        clients[name] = Client()
        clients[name].force_login(user)
    clients["anonymous"] = Client()
    return clients


@pytest.fixture(params=["list", "detail"])
def url(request, recipes):
    return "/recipes/" if request.param == "list" else f"/recipes/{recipes[0].pk}/"


def csrf_token_in(response):
    """The CSRF token rendered in the sign-out form, or None."""
    marker = 'name="csrfmiddlewaretoken" value="'
    text = response.text
    if marker not in text:
        return None
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


{% if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}def test_each_visitor_sees_only_their_own_page(visitors, url, assert_no_recipe_queries):
{% else %}def test_each_visitor_sees_only_their_own_page(visitors, url):
{% endif %}    pages = {}
    for _ in range(2):  # twice round, so every cache has had its chance to store
        for name, client in visitors.items():
            pages[name] = client.get(url)
    assert "Signed in as <strong>alice</strong>" in pages["alice"].text
    assert "Signed in as <strong>bob</strong>" in pages["bob"].text
    assert "bob" not in pages["alice"].text and "alice" not in pages["bob"].text
    anonymous = pages["anonymous"].text
    assert "Sign in" in anonymous and "alice" not in anonymous and "bob" not in anonymous
    tokens = {name: csrf_token_in(page) for name, page in pages.items()}
    assert tokens["anonymous"] is None
    assert tokens["alice"] and tokens["bob"] and tokens["alice"] != tokens["bob"]
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view %}
    with assert_no_recipe_queries():  # anonymous visitors still get cache hits
        again = visitors["anonymous"].get(url)
    assert again.content == pages["anonymous"].content


def test_signed_in_pages_are_private(visitors, url):
    response = visitors["alice"].get(url)
    assert "private" in response["Cache-Control"]
{%- endif %}


def test_sign_out_is_a_post_form(visitors, url):
    assert 'method="post" action="/accounts/logout/"' in visitors["alice"].get(url).text
    assert visitors["alice"].post("/accounts/logout/").status_code == 302
    assert "Sign in" in visitors["alice"].get(url).text
