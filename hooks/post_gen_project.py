"""Finish the baked project: remove what was not chosen, write local secrets, say what next.

Safe to run twice (cruft runs the hooks again on update, as does a bake with
--overwrite-if-exists): removing a missing file is a no-op and an existing .env is
kept. The .env is the only file written with a random value, and git ignores it.
"""

import json
import os
import secrets
import shutil
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

PROJECT = Path.cwd()
# The baked test file that proves each level; the template's tests read this table
# (tests/support.py), so it is written once, here.
BACKENDS = ["locmem", "redis", "memcached", "db", "file"]
LEVEL_TESTS = {
    "cache_per_site": "tests/test_per_site.py",
    "cache_per_view": "tests/test_per_view.py",
    "cache_template_fragment": "tests/test_template_fragment.py",
    "cache_low_level": "tests/test_low_level.py",
}

# How to start the chosen backend's server: (where, command) pairs. compose.yaml in
# the project offers the same server on the same port.
SERVER_START = {
    "redis": (
        "Redis on 127.0.0.1:6379 (or set REDIS_URL in .env to yours)",
        [
            ("Debian/Ubuntu", "sudo apt-get install redis-server"),
            ("Homebrew", "brew install redis && brew services start redis"),
            ("Docker", "docker compose up -d redis"),
        ],
    ),
    "memcached": (
        "memcached on 127.0.0.1:11211 (or set MEMCACHED_SERVERS in .env to yours)",
        [
            ("Debian/Ubuntu", "sudo apt-get install memcached"),
            ("Homebrew", "brew install memcached && brew services start memcached"),
            ("Docker", "docker compose up -d memcached"),
        ],
    ),
}


def remove(relative_path):
    path = PROJECT / relative_path
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def remove_unchosen_files():
    levels = [level for level in LEVEL_TESTS if ANSWERS[level]]
    for level, test_file in LEVEL_TESTS.items():
        if not ANSWERS[level]:
            remove(test_file)
    if not (ANSWERS["cache_per_site"] or ANSWERS["cache_per_view"]):
        remove("caching/pages.py")
        remove("tests/test_shared_pages.py")
    page_levels = ANSWERS["cache_per_site"] or ANSWERS["cache_per_view"]
    if not page_levels or ANSWERS["cache_backend"] in ("db", "file"):
        # add() is not atomic between the live server's threads there.
        remove("tests/test_crowd.py")
    if not ANSWERS["cache_template_fragment"]:
        remove("recipes/context_processors.py")
    if not levels:
        remove("caching/requests.py")
        remove("tests/test_asgi.py")
        remove("recipes/caching.py")
        remove("tests/test_invalidation.py")
    if ANSWERS["cache_backend"] != "db":
        # Only the database cache has a table to create.
        remove("recipes/management/commands/createcachetable.py")


def remove_unchosen_backends():
    """Each backend's module and tests, for the chosen backend only."""
    backend = ANSWERS["cache_backend"]
    for other in BACKENDS:
        if other != backend:
            remove(f"caching/{other}_cache.py")
            remove(f"tests/test_{other}_cache.py")
    if backend in ("locmem", "redis"):
        # django-redis turns failures into misses itself (IGNORE_EXCEPTIONS).
        remove("caching/miss_on_error.py")
    copied_levels = ("cache_per_site", "cache_per_view", "cache_template_fragment")
    if backend == "locmem" or not any(ANSWERS[level] for level in copied_levels):
        # Nothing to copy into the process, or local memory: in the process already.
        remove("caching/local_copy.py")
        remove("tests/test_local_copy.py")
    if backend != "redis" or not any(ANSWERS[level] for level in LEVEL_TESTS):
        remove("caching/redis_push.py")
    if backend == "locmem":
        # Local memory cannot fail: no outage handling, no outage tests.
        remove("caching/health.py")
        remove("tests/test_cache_outage.py")
    if backend != "redis":
        remove("caching/redis_sentinel.py")
        remove("tests/test_redis_sentinel.py")
    package = PROJECT / "caching"
    if package.is_dir() and [path.name for path in package.iterdir()] == ["__init__.py"]:
        remove("caching")  # Nothing left in the package.


def write_local_secrets():
    """A random secret key in the git-ignored .env, for this checkout only."""
    env_file = PROJECT / ".env"
    if env_file.exists():
        return
    env_file.write_text(
        "# Local settings for this checkout only; git ignores this file.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "DJANGO_ENV=development\n",
        encoding="utf-8",
    )
    env_file.chmod(0o600)


def next_steps():
    """The steps for these answers: (command or text, [(where, command)] alternatives)."""
    backend = ANSWERS["cache_backend"]
    steps = [(f"cd {ANSWERS['project_slug']}", [])]
    if backend in SERVER_START:
        name, ways = SERVER_START[backend]
        steps.append((f"Start {name}, one of:", ways))
    steps.append(("python3 -m venv .venv && . .venv/bin/activate", []))
    steps.append(("pip install -r requirements-dev.txt", []))
    steps.append(("python manage.py migrate", []))
    if backend == "db":
        steps.append(("python manage.py createcachetable", []))
    steps.append(("python manage.py seed_recipes --count 50", []))
    steps.append(("python manage.py runserver   # then open http://127.0.0.1:8000/recipes/", []))
    steps.append(("pytest", []))
    return steps


def print_next_steps():
    """In colour on a terminal (unless NO_COLOR is set), plain text otherwise."""
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    bold, cyan, dim, reset = ("\033[1m", "\033[36m", "\033[2m", "\033[0m") if color else ("",) * 4
    print(f"\n{bold}Your site is ready. Next steps:{reset}")
    for number, (step, ways) in enumerate(next_steps(), start=1):
        text = step if ways else f"{cyan}{step}{reset}"
        print(f"  {bold}{number}.{reset} {text}")
        for where, command in ways:
            print(f"       {dim}{where + ':':<15}{reset}{cyan}{command}{reset}")
    if ANSWERS["use_debug_toolbar"]:
        note = "DJANGO_DEBUG=true in .env shows the debug toolbar (SQL and Cache panels)."
        print(f"  {dim}{note}{reset}")
    print()


def main():
    remove_unchosen_files()
    remove_unchosen_backends()
    write_local_secrets()
    print_next_steps()


if __name__ == "__main__":
    main()
