"""A Jinja extension for this template: answers are data, never Jinja.

cookiecutter renders the defaults of cookiecutter.json as Jinja, so that one
answer can be made from another (project_slug from project_name). An answer given
on the command line, with --no-input, in a config file's default_context or
through cookiecutter's API replaces a default, so cookiecutter renders it too: a
project name with "{{" stops the bake with a Jinja traceback, and "{{ ... }}" in
an answer runs. (Answers typed at the prompts and replayed answers are never
rendered.)

This extension keeps Jinja for the template's own text (its defaults, file names
and hooks) and turns every other text cookiecutter renders into itself.
"""

import json
from pathlib import Path

from jinja2 import TemplateSyntaxError
from jinja2.ext import Extension

JINJA_MARKS = ("{{", "{%", "{#")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


CONTEXT_FILE = Path(__file__).with_name("cookiecutter.json")
CONTEXT = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
OWN_DEFAULTS = frozenset(strings_in(CONTEXT))


class AnswersAsData(Extension):
    """Render any text with Jinja marks that is not the template's own as itself."""

    def __init__(self, environment):
        super().__init__(environment)
        self._answers = 0
        self._parsing = False

    def preprocess(self, source, name, filename=None):
        # Files are loaded by name; answers, file names and hooks come as strings.
        if self._parsing or name is not None or source in OWN_DEFAULTS:
            return source
        if not any(mark in source for mark in JINJA_MARKS):
            return source
        self._answers += 1
        variable = f"_answer_as_data_{self._answers}"
        self.environment.globals[variable] = source
        as_data = f"{{{{ {variable} }}}}"
        if not self._parses(source):
            return as_data
        # File names and hooks are rendered after the questions, once cookiecutter
        # (and cruft) have added `_template` to the answers; answers are rendered
        # while the questions are asked, before it is there.
        after_questions = "{% if cookiecutter._template is defined %}"
        return f"{after_questions}{source}{{% else %}}{as_data}{{% endif %}}"

    def _parses(self, source):
        self._parsing = True
        try:
            self.environment.parse(source)
        except TemplateSyntaxError:
            return False
        finally:
            self._parsing = False
        return True


def derived(answers):
    """What follows from the answers, decided here once.

    The templates read it as `derived(cookiecutter)`, the post-gen hook as a table
    rendered into it, and the template's tests import it: one rule each, in one place.
    """
    backend = answers["cache_backend"]
    pages = bool(answers["cache_per_site"] or answers["cache_per_view"])
    versioned = pages or bool(answers["cache_template_fragment"])
    any_level = versioned or bool(answers["cache_low_level"])
    return {
        "backend": backend,
        # Whole pages are cached, by the middleware or the decorator.
        "pages": pages,
        # A "pages" cache holds entries under keys that carry the recipes version.
        "versioned": versioned,
        # Something is cached at all: the recipes version and its invalidation exist.
        "any_level": any_level,
        # The cache lives outside the process: it can fail, and needs a server or a place.
        "shared": backend != "locmem",
        # Each process keeps a copy of the versioned entries it has read.
        "local_copy": backend != "locmem" and versioned,
        # Redis tells every process of a new recipes version.
        "version_push": backend == "redis" and any_level,
        # Django's own backend class turns a failure into a miss (django-redis does it itself).
        "miss_on_error": backend in ("memcached", "db", "file"),
        # Varnish in front stores the pages the page cache shares, and is told of edits.
        "front_cache": answers.get("front_cache", "none") == "varnish" and pages,
    }


# The cache_backend choices of cookiecutter.json, in its order.
BACKENDS = CONTEXT["cache_backend"]
FRONT_CACHES = CONTEXT["front_cache"]
LEVELS = ["cache_per_site", "cache_per_view", "cache_template_fragment", "cache_low_level"]
# The baked test file that proves each level: tests/test_per_site.py, ...
LEVEL_TESTS = {level: f"tests/test_{level.removeprefix('cache_')}.py" for level in LEVELS}


def optional_files(answers):
    """Each baked file that only some answers keep: {path: kept for these answers}.

    Files named `name.<backend>.py` are variants: the post-gen hook renames the
    chosen backend's to `name.py` (replacing the other backends' `name.py`, where
    there is one) and removes the others, before it removes what is listed here.
    """
    facts = derived(answers)
    backend = facts["backend"]
    kept = {
        **{test: answers[level] for level, test in LEVEL_TESTS.items()},
        "recipes/context_processors.py": answers["cache_template_fragment"],
        "caching/pages.py": facts["pages"],
        "tests/test_shared_pages.py": facts["pages"],
        "tests/test_failed_renders.py": facts["pages"],
        "tests/test_page_checks.py": facts["pages"],
        "tests/test_page_entries.py": facts["pages"],
        "tests/test_per_site_checks.py": answers["cache_per_site"],
        # add() is not atomic between the live server's threads for db and file.
        "tests/test_crowd.py": facts["pages"] and backend not in ("db", "file"),
        "caching/requests.py": facts["any_level"],
        "recipes/caching.py": facts["any_level"],
        "caching/versions.py": facts["any_level"],
        "caching/version_store.py": facts["any_level"],
        "tests/test_versions.py": facts["any_level"],
        "recipes/lists.py": answers["cache_low_level"],
        "tests/test_asgi.py": facts["any_level"],
        "tests/test_invalidation.py": facts["any_level"],
        "tests/test_locked_cache_table.py": backend == "db" and facts["any_level"],
        "caching/health.py": facts["shared"],
        "tests/test_cache_outage.py": facts["shared"],
        "caching/miss_on_error.py": facts["miss_on_error"],
        "caching/local_copy.py": facts["local_copy"],
        "tests/test_local_copy.py": facts["local_copy"],
        # The calls a hit makes, counted on the server; a file cache's reads cannot be.
        "tests/test_local_copy_hits.py": facts["local_copy"] and backend != "file",
        "caching/redis_push.py": facts["version_push"],
        "tests/test_redis_push.py": facts["version_push"],
        "caching/redis_sentinel.py": backend == "redis",
        "tests/test_redis_sentinel.py": backend == "redis",
        "recipes/management/commands/createcachetable.py": backend == "db",
        "varnish/default.vcl": facts["front_cache"],
        "docs/varnish.md": facts["front_cache"],
        "caching/front_cache.py": facts["front_cache"],
        "tests/test_front_cache.py": facts["front_cache"],
    }
    for other in BACKENDS:
        if other != "locmem":  # Django's LocMemCache as it is: no module of its own.
            kept[f"caching/{other}_cache.py"] = other == backend
        kept[f"tests/test_{other}_cache.py"] = other == backend
    return {path: bool(keep) for path, keep in kept.items()}


def removed_files(answers):
    """The optional files these answers do not keep, sorted."""
    return sorted(path for path, kept in optional_files(answers).items() if not kept)


class DerivedAnswers(Extension):
    """Makes `derived(cookiecutter)` and `removed_files(cookiecutter)` usable in the templates."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["derived"] = derived
        environment.globals["removed_files"] = removed_files
        environment.globals["backends"] = BACKENDS
        environment.globals["front_caches"] = FRONT_CACHES
