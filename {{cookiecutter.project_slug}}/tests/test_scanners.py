"""What scanners get: a short answer, never the page, and one log line.

A method that only reads or asks (GET, HEAD, OPTIONS) is all the recipe pages
answer to (recipes/decorators.py); a host not in ALLOWED_HOSTS is logged in one line
(config/settings.py, LOGGING).
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "PATCH", "DELETE"])
def test_a_method_that_does_not_read_gets_405(url, method):
    # As a browser or a scanner meets it: with the CSRF check, without a token.
    response = Client(enforce_csrf_checks=True).generic(method, url)
    assert response.status_code == 405, f"{method} {url}: {response.status_code}"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


def test_options_lists_the_methods_without_running_the_view(url, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().options(url)
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.templates == [], "OPTIONS rendered the page"


def test_a_host_not_allowed_is_logged_in_one_line(caplog, db):
    response = Client().get("/recipes/", headers={"host": "scanner.example"})
    assert response.status_code == 400
    assert [record.name for record in caplog.records] == ["django.security.DisallowedHost"]
    assert "scanner.example" in caplog.text
    assert "Traceback" not in caplog.text
    assert caplog.text.count("\n") == 1, caplog.text
