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
BACKENDS = json.loads(r"""{{ backends | tojson }}""")
# The optional files these answers leave out: local_extensions.removed_files()
# decides, from the same derived answers the templates and the template's tests use.
REMOVED = json.loads(r"""{{ removed_files(cookiecutter) | tojson }}""")

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


# Varnish goes in front of gunicorn, in production: not a step of local development.
VARNISH_NOTE = "In production, Varnish goes in front of gunicorn: docs/varnish.md says how."


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def remove_unchosen_files():
    for relative_path in REMOVED:
        remove(PROJECT / relative_path)


def keep_chosen_variants():
    """`name.<backend>.py` files: the chosen backend's becomes `name.py`, the rest go.

    A variant replaces `name.py` where there is one: the other backends' version.
    """
    backend = ANSWERS["cache_backend"]
    for folder in ["caching", "config", "recipes", "tests"]:
        for path in sorted((PROJECT / folder).rglob("*.*.py")):
            name, variant = path.stem.rsplit(".", 1)
            if variant == backend:
                path.replace(path.with_name(f"{name}.py"))
            elif variant in BACKENDS:
                path.unlink()


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
    if ANSWERS.get("front_cache") == "varnish":
        print(f"  {dim}{VARNISH_NOTE}{reset}")
    print()


def main():
    # Variants first: an optional file may be a variant, listed by its final name.
    keep_chosen_variants()
    remove_unchosen_files()
    write_local_secrets()
    print_next_steps()


if __name__ == "__main__":
    main()
