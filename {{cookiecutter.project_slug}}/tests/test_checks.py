{%- set backend = cookiecutter.cache_backend -%}
{%- set any_level = cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level -%}
"""`manage.py check` names each mistake in the cache settings (recipes/checks.py)."""

import pytest
from django.core.checks import run_checks
{%- if backend == "memcached" %}

from recipes.checks import check_memcached_servers
{%- endif %}


def check_ids(**kwargs):
    """The ids of the messages of recipes/checks.py, leaving Django's own aside."""
    return sorted(m.id for m in run_checks(**kwargs) if m.id.startswith("recipes."))


def with_location(settings, location):
    settings.CACHES = {
        alias: {**config, "LOCATION": location} for alias, config in settings.CACHES.items()
    }


{% if backend == "db" -%}
@pytest.mark.django_db
def test_the_baked_settings_pass():
    assert check_ids(databases=["default"]) == []
{%- else -%}
def test_the_baked_settings_pass():
    assert check_ids() == []
{%- endif %}


@pytest.mark.parametrize("timeout", ["600", 0, -1, 1.5, None, True])
def test_a_timeout_that_is_not_whole_seconds(settings, timeout):
    settings.CACHE_TIMEOUT = timeout
    assert check_ids() == ["recipes.E001"]
{%- if cookiecutter.cache_per_site %}


def test_a_middleware_timeout_that_is_not_whole_seconds(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = "600"
    assert check_ids() == ["recipes.E001"]


SHARED = "caching.pages.SharedPagesMiddleware"
UPDATE = "caching.pages.UpdateCacheMiddleware"
FETCH = "caching.pages.FetchFromCacheMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
NEVER_FOR_SIGNED_IN = "caching.pages.NeverCacheForSignedInMiddleware"


def without(middleware, name):
    return [item for item in middleware if item != name]


def moved(middleware, name, index):
    middleware = without(middleware, name)
    middleware.insert(index if index >= 0 else len(middleware) + 1 + index, name)
    return middleware


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: moved(m, UPDATE, m.index(SESSION)), id="update-after-session"),
        pytest.param(lambda m: moved(m, FETCH, -3), id="fetch-not-last"),
        pytest.param(lambda m: moved(m, NEVER_FOR_SIGNED_IN, 0), id="signed-in-outside"),
        pytest.param(lambda m: without(m, NEVER_FOR_SIGNED_IN), id="signed-in-gone"),
        pytest.param(lambda m: without(m, FETCH), id="fetch-gone"),
        pytest.param(lambda m: moved(m, SHARED, m.index(UPDATE) + 1), id="shared-after-update"),
        pytest.param(lambda m: without(m, SHARED), id="shared-gone"),
    ],
)
def test_cache_middleware_out_of_place(settings, change):
    settings.MIDDLEWARE = change(list(settings.MIDDLEWARE))
    assert set(check_ids()) == {"recipes.E002"}


def test_per_site_caching_removed_entirely_is_fine(settings):
    for name in [UPDATE, FETCH, NEVER_FOR_SIGNED_IN]:
        settings.MIDDLEWARE = without(settings.MIDDLEWARE, name)
    assert check_ids() == []
{%- elif cookiecutter.cache_per_view %}


def test_page_cache_without_its_middleware(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "caching.pages.SharedPagesMiddleware"
    ]
    assert check_ids() == ["recipes.E002"]
{%- endif %}
{%- if backend == "memcached" %}


# The check itself, not run_checks(): Django's own checks would build a client for
# these servers, and pymemcache fails on them.
@pytest.mark.parametrize("server", ["localhost", "127.0.0.1:port", "127.0.0.1:99999", "", "a b:1"])
def test_a_memcached_server_that_is_not_host_port(settings, server):
    with_location(settings, ["127.0.0.1:11211", server])
    assert [error.id for error in check_memcached_servers(None)] == ["recipes.E003"]


def test_memcached_servers_in_every_form(settings):
    with_location(settings, ["10.0.0.1:11211", "cache.internal:11212", "[::1]:11211"])
    assert check_memcached_servers(None) == []
{%- elif backend == "redis" %}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:6379/0", "127.0.0.1:6379", "redis://127.0.0.1:port/0"]
)
def test_a_redis_url_that_is_not_one(settings, url):
    with_location(settings, ["redis://127.0.0.1:6379/0", url])
    assert check_ids() == ["recipes.E004"]


def test_the_error_never_shows_the_password(settings):
    with_location(settings, ["http://user:s3cret@127.0.0.1:6379/0"])
    assert "s3cret" not in str(run_checks())


@pytest.mark.parametrize(
    "location",
    [
        ["redis://mymaster/1"],  # What config/settings.py makes of a redis+sentinel:// URL.
        "redis+sentinel://:s3cret@sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/mymaster/1",
    ],
)
def test_redis_sentinel_passes(settings, location):
    with_location(settings, location)
    assert check_ids() == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis+sentinel://:s3cret@sentinel-1:26379", "it names no service"),
        ("redis+sentinel://:s3cret@sentinel-1:26379,sentinel-2:x/mymaster/1", "'sentinel-2:x'"),
        ("redis+sentinel://s3cret@sentinel-1:26379/mymaster/1", "colon"),
    ],
)
def test_a_malformed_redis_sentinel_url_in_one_line(settings, url, problem):
    with_location(settings, [url])
    errors = [message for message in run_checks() if message.id == "recipes.E004"]
    assert len(errors) == 1
    assert errors[0].msg.startswith("REDIS_URL is not a Redis Sentinel URL: ")
    assert problem in errors[0].msg and "\n" not in errors[0].msg
    assert "s3cret" not in str(errors[0])
{%- elif backend == "file" %}


@pytest.mark.parametrize("root", ["STATIC_ROOT", "MEDIA_ROOT"])
def test_a_cache_directory_the_web_server_serves(settings, tmp_path, root):
    setattr(settings, root, str(tmp_path))
    with_location(settings, str(tmp_path / "cache"))
    assert check_ids() == ["recipes.E005"]


def test_a_cache_directory_that_cannot_be_created(settings, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    with_location(settings, str(tmp_path / "a-file" / "cache"))
    messages = [message for message in run_checks() if message.id == "recipes.E006"]
    assert len(messages) == 1
    assert str(tmp_path / "a-file" / "cache") in messages[0].msg
{%- elif backend == "db" %}


@pytest.mark.django_db
def test_a_missing_cache_table(settings):
    with_location(settings, "no_such_cache_table")
    messages = [m for m in run_checks(databases=["default"]) if m.id.startswith("recipes.")]
    assert [message.id for message in messages] == ["recipes.W001"]
    assert "python manage.py createcachetable" in messages[0].hint


def test_the_table_is_checked_only_when_asked_to_look_at_the_database(settings):
    with_location(settings, "no_such_cache_table")
    assert check_ids() == []
{%- elif backend == "locmem" and any_level %}


def test_local_memory_with_several_processes(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert check_ids() == ["recipes.W002"]


def test_local_memory_with_one_process(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert check_ids() == []
{%- endif %}
