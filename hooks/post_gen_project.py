"""Finish the baked project: remove what was not chosen, write local secrets, say what next.

Safe to run twice (cruft runs hooks again on update): removing a missing file is a
no-op and an existing .env is kept.
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
    } | tojson }}"""
)

PROJECT = Path.cwd()
LEVEL_TESTS = {
    "cache_per_site": "tests/test_per_site.py",
    "cache_per_view": "tests/test_per_view.py",
    "cache_template_fragment": "tests/test_template_fragment.py",
    "cache_low_level": "tests/test_low_level.py",
}

SERVER_SETUP = {
    "redis": [
        "Start Redis (pick one):",
        "  Debian/Ubuntu: sudo apt-get install redis-server   (starts it on 127.0.0.1:6379)",
        "  macOS:         brew install redis && brew services start redis",
        "  or:            redis-server --port 6379",
        "  then set REDIS_URL in .env if it is not redis://127.0.0.1:6379/1",
    ],
    "memcached": [
        "Start memcached (pick one):",
        "  Debian/Ubuntu: sudo apt-get install memcached   (starts it on 127.0.0.1:11211)",
        "  macOS:         brew install memcached && brew services start memcached",
        "  or:            memcached -l 127.0.0.1 -p 11211",
        "  then set MEMCACHED_SERVERS in .env if it is not 127.0.0.1:11211",
    ],
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
    if not levels:
        remove("recipes/caching.py")
        remove("tests/test_invalidation.py")


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
    backend = ANSWERS["cache_backend"]
    steps = [f"cd {ANSWERS['project_slug']}", "python3 -m venv .venv && . .venv/bin/activate"]
    steps.append("pip install -r requirements-dev.txt")
    steps.append("python manage.py migrate")
    if backend == "db":
        steps.append("python manage.py createcachetable")
    steps.append("python manage.py seed_recipes --count 50")
    steps.append("python manage.py runserver   # then open http://127.0.0.1:8000/recipes/")
    steps.append("pytest")
    return SERVER_SETUP.get(backend, []), steps


def print_next_steps():
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    bold, dim, reset = ("\033[1m", "\033[2m", "\033[0m") if color else ("", "", "")
    server, steps = next_steps()
    print(f"\n{bold}Your site is ready. Next steps:{reset}")
    for line in server:
        print(f"{dim}{line}{reset}" if line.startswith("  ") else line)
    for number, step in enumerate(steps, start=1):
        print(f"  {number}. {step}")
    print()


def main():
    remove_unchosen_files()
    write_local_secrets()
    print_next_steps()


if __name__ == "__main__":
    main()
