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

ANSWERS = json.loads(
    r"""{{ {
        "project_slug": cookiecutter.project_slug,
        "cache_backend": cookiecutter.cache_backend,
        "cache_per_site": cookiecutter.cache_per_site,
        "cache_per_view": cookiecutter.cache_per_view,
        "cache_template_fragment": cookiecutter.cache_template_fragment,
        "cache_low_level": cookiecutter.cache_low_level,
        "use_debug_toolbar": cookiecutter.use_debug_toolbar,
    } | tojson }}"""
)

PROJECT = Path.cwd()
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
    if not levels:
        remove("caching/requests.py")
        remove("recipes/caching.py")
        remove("tests/test_invalidation.py")
    copied_levels = ("cache_per_site", "cache_per_view", "cache_template_fragment")
    if ANSWERS["cache_backend"] == "locmem" or not any(ANSWERS[x] for x in copied_levels):
        # Nothing to copy into the process, or local memory: in the process already.
        remove("caching/local_copy.py")
        remove("tests/test_local_copy.py")
    if ANSWERS["cache_backend"] != "redis" or not levels:
        remove("caching/redis_push.py")
    if ANSWERS["cache_backend"] == "locmem":
        # Local memory cannot fail: no outage handling, no outage tests.
        remove("config/cache_backends.py")
        remove("tests/test_cache_outage.py")
    if [path.name for path in (PROJECT / "caching").iterdir()] == ["__init__.py"]:
        remove("caching")  # Nothing cached and nothing that can fail: no cache package.


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
    write_local_secrets()
    print_next_steps()


if __name__ == "__main__":
    main()
