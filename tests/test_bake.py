"""Every backend with every set of caching levels bakes into a clean, checked project."""

import ast
import os
import re

import pytest

from tests.support import (
    ALL_COMBINATIONS,
    BACKENDS,
    LEVELS,
    PYTHON,
    TEMPLATE,
    answers_for,
    answers_id,
    derived,
    optional_files,
    run,
    with_varnish,
)

# Every combination bakes with the debug toolbar (the default); these without it.
WITHOUT_TOOLBAR = [
    {**answers_for("redis", set(LEVELS)), "use_debug_toolbar": False},
    {**answers_for("locmem", set()), "use_debug_toolbar": False},
]
TOOLBAR_TRACES = ("debug_toolbar", "debug-toolbar", "debug toolbar", "DEBUG_TOOLBAR")
# A handful with Varnish in front: each page level alone, and both, on three backends.
WITH_VARNISH = [
    with_varnish(answers_for("redis", set(LEVELS))),
    with_varnish(answers_for("locmem", {"cache_per_view"})),
    with_varnish(answers_for("memcached", {"cache_per_site", "cache_low_level"})),
]
# What front_cache=varnish leaves in the project; none of it is there without it.
FRONT_CACHE_TRACES = [
    ("config/settings.py", "caching.front_cache.FrontCacheMiddleware"),
    ("config/settings.py", 'FRONT_CACHE_URLS = env.list("FRONT_CACHE_URLS"'),
    ("caching/versions.py", "front_cache.ban(self.name)"),
    ("compose.yaml", "  varnish:"),
    ("README.md", 'varnishd -F -a :6081 -f "$PWD/varnish/default.vcl" -s malloc,256m'),
    (".github/workflows/ci.yml", "varnish"),
]
FRONT_CACHE_WORDS = ("varnish", "Varnish", "front_cache", "FRONT_CACHE", "Surrogate")

# What each answer leaves in the project: (file, text) pairs that must be present
# when the answer is chosen and absent when it is not.
LEVEL_TRACES = {
    "cache_per_site": [
        ("config/settings.py", "StoreSharedPagesMiddleware"),
        ("config/settings.py", "CACHE_MIDDLEWARE_SECONDS"),
        ("caching/pages.py", "NeverCacheForSignedInMiddleware"),
    ],
    "cache_per_view": [
        ("recipes/urls.py", "cache_page_for_anonymous(views.recipe_list)"),
        ("caching/pages.py", "def cache_page_for_anonymous"),
    ],
    "cache_template_fragment": [
        ("recipes/templates/recipes/recipe_list.html", "{% cache "),
        ("recipes/templates/recipes/recipe_detail.html", "{% load cache %}"),
        ("config/settings.py", "recipes.context_processors.fragment_caching"),
        ("recipes/context_processors.py", "def fragment_caching"),
    ],
    "cache_low_level": [
        ("recipes/views.py", "cached_recipe_list(request"),
        ("recipes/lists.py", "RECIPE_LIST_KEY"),
    ],
}
BACKEND_SETTINGS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "redis": "django_redis.cache.RedisCache",
    # Django's backends, where a failing cache is a miss (caching/<backend>_cache.py).
    "memcached": "caching.memcached_cache.MissOnErrorPyMemcacheCache",
    "db": "caching.db_cache.MissOnErrorDatabaseCache",
    "file": "caching.file_cache.MissOnErrorFileBasedCache",
}
BACKEND_REQUIREMENTS = {"redis": {"django-redis", "redis", "hiredis"}, "memcached": {"pymemcache"}}
PAGE_CACHE_NAMES = ("cache_page", "StoreSharedPagesMiddleware", "ServeSharedPagesMiddleware")


def project_text(project):
    """Every text file of the project, by path relative to it."""
    texts = {}
    for path in project.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            texts[str(path.relative_to(project))] = path.read_text(encoding="utf-8")
    return texts


def requirement_names(text):
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=~!\[; ]", line, maxsplit=1)[0].lower())
    return names


@pytest.fixture(params=ALL_COMBINATIONS + WITHOUT_TOOLBAR + WITH_VARNISH, ids=answers_id)
def baked(request, bake):
    return request.param, bake(request.param)


def test_bake_matches_the_answers(baked):
    answers, project = baked
    texts = project_text(project)
    where = answers_id(answers)

    leftovers = [path for path, text in texts.items() if "cookiecutter." in text]
    assert leftovers == [], f"{where}: unrendered cookiecutter variables in {leftovers}"

    # Which optional files exist is decided once, in local_extensions.optional_files().
    wrong = [path for path, kept in optional_files(answers).items() if (path in texts) != kept]
    assert wrong == [], f"{where}: kept or removed against the answers: {wrong}"
    variants = [path for path in texts if re.search(rf"\.({'|'.join(BACKENDS)})\.py$", path)]
    assert variants == [], f"{where}: backend variants left unrenamed: {variants}"
    for level, traces in LEVEL_TRACES.items():
        for path, trace in traces:
            found = trace in texts.get(path, "")
            assert found == answers[level], f"{where}: {trace!r} in {path} is {found}"

    facts = derived(answers)
    python_code = "\n".join(text for path, text in texts.items() if path.endswith(".py"))
    if not facts["pages"]:
        assert not any(name in python_code for name in PAGE_CACHE_NAMES), where
    assert ('"pages"' in texts["config/settings.py"]) == facts["versioned"], where

    backend = answers["cache_backend"]
    settings = texts["config/settings.py"]
    assert f'"BACKEND": "{BACKEND_SETTINGS[backend]}"' in settings, where
    for other, path in BACKEND_SETTINGS.items():
        assert (path in settings) == (other == backend), f"{where}: {path} in settings"

    # Pinned with what they need (tests/test_requirements.py), and no other backend's client.
    runtime = requirement_names(texts["requirements.txt"])
    expected = {"django", "django-environ", "gunicorn", "whitenoise"}
    expected |= BACKEND_REQUIREMENTS.get(backend, set())
    unchosen = set().union(*BACKEND_REQUIREMENTS.values()) - expected
    assert expected <= runtime and not runtime & unchosen, f"{where}: {sorted(runtime)}"
    assert texts["requirements-dev.txt"].startswith("-r requirements.txt"), where
    assert (".env" in texts) and "DJANGO_SECRET_KEY=" in texts[".env"], where
    assert ".env" in texts[".gitignore"].splitlines(), where

    front_cache = answers.get("front_cache") == "varnish"
    for path, trace in FRONT_CACHE_TRACES:
        found = trace in texts.get(path, "")
        assert found == front_cache, f"{where}: {trace!r} in {path} is {found}"
    if not front_cache:
        traces = [path for path, text in texts.items() if any(w in text for w in FRONT_CACHE_WORDS)]
        assert traces == [], f"{where}: the front cache left in {traces}"

    toolbar = answers.get("use_debug_toolbar", True)
    assert ("django-debug-toolbar" in texts["requirements-dev.txt"]) == toolbar, where
    assert ('"debug_toolbar"' in settings) == toolbar, where
    assert ("debug_toolbar_urls" in texts["config/urls.py"]) == toolbar, where
    if not toolbar:
        traces = [path for path, text in texts.items() if any(t in text for t in TOOLBAR_TRACES)]
        assert traces == [], f"{where}: debug toolbar left in {traces}"

    # The same for every answer, with no Jinja, so `pre-commit autoupdate` can edit it.
    source = TEMPLATE / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml"
    assert texts[".pre-commit-config.yaml"] == source.read_text(encoding="utf-8"), where


def test_bake_passes_checks_and_linters(baked):
    answers, project = baked
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    # Development (the baked .env) and production (what a deploy sets).
    run([PYTHON, "manage.py", "check", "--fail-level", "WARNING"], project, env)
    production = {
        **env,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-not-a-real-secret-but-long-enough-for-django-checks",
        "DJANGO_ALLOWED_HOSTS": "recipes.example.com",
        # Read by a front_cache=varnish bake only: the Varnish it tells of edits.
        "FRONT_CACHE_URLS": "http://127.0.0.1:6081",
    }
    run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], project, production)
    run([PYTHON, "-m", "ruff", "check", "--no-cache", "."], project, env)
    run([PYTHON, "-m", "ruff", "format", "--no-cache", "--check", "."], project, env)
    run([PYTHON, "-m", "djlint", "--check", "--lint", "."], project, env)


# Test tooling lives with the tests: outside tests/, no module imports it, but the
# management command that drives the test client to measure the site.
TEST_TOOLING = ("django.test", "pytest")
DRIVES_THE_TEST_CLIENT = {"recipes/management/commands/cachebench.py"}


def imported_modules(source):
    """Every module a Python source imports, by its full dotted name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def is_test_tooling(module):
    return any(module == name or module.startswith(f"{name}.") for name in TEST_TOOLING)


@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_tests_import_test_tooling(bake, backend):
    project = bake(answers_for(backend, set(LEVELS)))
    found = {
        path: sorted(filter(is_test_tooling, imported_modules(text)))
        for path, text in project_text(project).items()
        if path.endswith(".py") and not path.startswith("tests/")
    }
    offending = {path: modules for path, modules in found.items() if modules}
    assert set(offending) <= DRIVES_THE_TEST_CLIENT, f"{backend}: runtime code imports {offending}"
