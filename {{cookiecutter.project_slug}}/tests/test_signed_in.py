"""Signed-in visitors: everyone sees their own page, and only their own."""

import pytest

pytestmark = pytest.mark.django_db


def csrf_token_in(response):
    """The CSRF token rendered in the sign-out form, or None."""
    marker = 'name="csrfmiddlewaretoken" value="'
    text = response.text
    if marker not in text:
        return None
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


def test_each_visitor_sees_only_their_own_page(visitors, url):
    pages = {}
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


def test_sign_out_is_a_post_form(visitors, url):
    assert 'method="post" action="/accounts/logout/"' in visitors["alice"].get(url).text
    assert visitors["alice"].post("/accounts/logout/").status_code == 302
    assert "Sign in" in visitors["alice"].get(url).text
