"""Check every answer before cookiecutter writes a file.

Each refusal is one line, ``ERROR: <field>: <what is wrong> (got '<value>')``, on
stderr, and a non-zero exit, which makes cookiecutter remove the project folder.
Answers are read as data: Jinja renders them into a JSON string, never into code.
"""

import json
import keyword
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

BACKENDS = json.loads(r"""{{ backends | tojson }}""")

# Modules the baked project imports by these names: a slug equal to one of them
# would shadow it and break the project in confusing ways.
SHADOWED_MODULES = {
    "caching",
    "config",
    "django",
    "recipes",
    "tests",
    "test",
    "site",
    "manage",
    "gunicorn",
    "pytest",
    "redis",
    "django_redis",
    "pymemcache",
    "environ",
    *sys.stdlib_module_names,
}


def slug_problem(slug):
    if not isinstance(slug, str) or not slug.isidentifier() or not slug.isascii():
        return "must be a Python identifier (ASCII letters, digits, _; not starting with a digit)"
    if slug != slug.lower():
        return "must be lowercase"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return "is a Python keyword"
    if slug in SHADOWED_MODULES:
        return "would shadow a module the project imports; pick another name"
    return None


def name_problem(name):
    if not isinstance(name, str) or not name.strip():
        return "must not be empty"
    if not name.isprintable():
        return "must be one line of text"
    return None


def backend_problem(backend):
    if backend not in BACKENDS:
        return "must be one of " + ", ".join(BACKENDS)
    return None


# Entries are replaced after every edit anyway, so a year is as good as "never".
LONGEST_TIMEOUT = 365 * 24 * 60 * 60


def timeout_problem(timeout):
    text = str(timeout).strip()
    if isinstance(timeout, bool) or not (text.isascii() and text.isdigit()) or int(text) <= 0:
        return "must be a whole number of seconds greater than 0"
    if int(text) > LONGEST_TIMEOUT:
        return f"must be at most {LONGEST_TIMEOUT} seconds (a year); for 'never expire', use that"
    return None


def boolean_problem(value):
    if not isinstance(value, bool):
        return "must be true or false"
    return None


FRONT_CACHES = json.loads(r"""{{ front_caches | tojson }}""")


def front_cache_problem(front_cache):
    if front_cache not in FRONT_CACHES:
        return "must be one of " + ", ".join(FRONT_CACHES)
    # Varnish stores only the pages Django's page cache would share (caching/pages.py).
    pages = ANSWERS["cache_per_site"] is True or ANSWERS["cache_per_view"] is True
    if front_cache != "none" and not pages:
        return "needs cache_per_site or cache_per_view, which decide the pages visitors share"
    return None


CHECKS = [
    ("project_name", name_problem),
    ("project_slug", slug_problem),
    ("cache_backend", backend_problem),
    ("cache_timeout", timeout_problem),
    ("cache_per_site", boolean_problem),
    ("cache_per_view", boolean_problem),
    ("cache_template_fragment", boolean_problem),
    ("cache_low_level", boolean_problem),
    ("front_cache", front_cache_problem),
    ("use_debug_toolbar", boolean_problem),
]


def shown(value):
    """The value on one line: control characters escaped, as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))


def main():
    for field, check in CHECKS:
        value = ANSWERS[field]
        problem = check(value)
        if problem:
            print(f"ERROR: {field}: {problem} (got '{shown(value)}')", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
