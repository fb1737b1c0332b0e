"""Cache entries grow with the site's pages, never with what clients send.

Tracking parameters are dropped and the host made canonical, so those visitors
share the page; a request with a session cookie or any other query parameter is
served without the page cache (caching/pages.py). Counted on the real cache.
"""

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient, Client

pytestmark = pytest.mark.django_db
JUNK_REQUESTS = 12


@pytest.fixture
def entries(test_caches, settings):
    """() -> the keys this test has in the real cache now."""
    return lambda: test_caches.stored(settings.CACHES["default"]["KEY_PREFIX"])


def junk_query(number):
    return {"query": f"?q=soup{number}&sort=name&utm_source=x{number}"}


def tracking_query(number):
    return {"query": f"?utm_source=news{number}&utm_campaign=c{number}&fbclid={number}&gclid=g"}


def host_spelling(number):
    spellings = [
        f"testserver:{8000 + number}",
        "TESTSERVER",
        "testserver.",
        f"TestServer.:{number}",
    ]
    return {"headers": {"host": spellings[number % len(spellings)]}}


def made_up_session(number):
    return {"cookies": {settings.SESSION_COOKIE_NAME: f"made-up-session-{number:04d}"}}


def header_values(number):
    return {
        "headers": {
            "user-agent": f"Mozilla/5.0 (bot {number})",
            "accept-language": f"de-CH;q=0.{number % 10}, en",
            "accept-encoding": ["gzip", "br", "identity", "zstd"][number % 4],
            "x-session-cookie": f"forged-{number}",
            "referer": f"https://example.com/{number}",
        },
        "cookies": {"_ga": f"GA1.1.{number}", "theme": f"t{number}"},
    }


JUNK = {
    "query parameters no view reads": junk_query,
    "tracking parameters": tracking_query,
    "a port, a trailing dot or capitals on an allowed host": host_spelling,
    "a session cookie the site never issued": made_up_session,
    "header values": header_values,
}


def visit(url, query="", headers=None, cookies=None, handler="wsgi"):
    """One GET by a new visitor, through the WSGI or the ASGI handler."""
    client = AsyncClient() if handler == "asgi" else Client()
    for name, value in (cookies or {}).items():
        client.cookies[name] = value
    get = async_to_sync(client.get) if handler == "asgi" else client.get
    return get(url + query, headers=headers)


# Django 5.2's AsyncClient sends "Host: testserver" whatever the test asks: it
# cannot send another host under ASGI.
HANDLERS = [
    pytest.param(make_junk, handler, id=f"{kind}-{handler}")
    for kind, make_junk in JUNK.items()
    for handler in ("wsgi", "asgi")
    if not (make_junk is host_spelling and handler == "asgi")
]


@pytest.mark.parametrize(("make_junk", "handler"), HANDLERS)
def test_what_clients_send_adds_no_entry(url, entries, make_junk, handler):
    assert visit(url, handler=handler).status_code == 200
    before = entries()
    junk = [make_junk(number) for number in range(JUNK_REQUESTS)]
    statuses = {visit(url, **request, handler=handler).status_code for request in junk}
    added = entries() - before
    assert statuses == {200}
    assert not added, (
        f"{JUNK_REQUESTS} requests for {url} added {len(added)} entries, e.g. {sorted(added)[:2]}"
    )


def test_visitors_from_a_tracking_link_get_the_cached_page(url, assert_no_recipe_queries):
    first = visit(url)
    with assert_no_recipe_queries():
        response = visit(url, **tracking_query(1))
    assert "Age" in response
    assert response.content == first.content


def test_any_spelling_of_the_host_gets_the_cached_page(url, assert_no_recipe_queries):
    visit(url)
    with assert_no_recipe_queries():
        response = visit(url, **host_spelling(3))
    assert "Age" in response


def test_a_session_cookie_is_served_without_the_page_cache(url, entries):
    visit(url)
    before = entries()
    response = visit(url, **made_up_session(1))
    assert "Age" not in response
    assert entries() == before


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("?page=1", "/recipes/"),
        ("?page=02", "/recipes/?page=2"),
        ("?page=2&page=3", "/recipes/?page=3"),
        ("?page=2&sort=name", "/recipes/?page=2"),
    ],
)
def test_each_page_of_the_list_has_one_url(client, recipes, query, canonical):
    response = client.get(f"/recipes/{query}")
    assert (response.status_code, response["Location"]) == (301, canonical)
{%- if cookiecutter.cache_per_site and cookiecutter.cache_per_view %}


def test_a_page_is_stored_once_with_both_page_caches(url, entries, test_caches, settings):
    visit(url)
    stored = entries()
    pages = [key for key in stored if ".cache_page." in key]
    headers = [key for key in stored if ".cache_header." in key]
    assert (len(pages), len(headers)) == (1, 1), f"stored for {url}: {sorted(stored)}"
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    made = {key for keys in test_caches.made.values() for key in keys if key.startswith(prefix)}
    locks = [key for key in made if ":rendering." in key]
    assert len(locks) == 1, f"render locks asked for on one miss of {url}: {locks}"
{%- endif %}
