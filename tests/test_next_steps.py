"""Baking as a person does: answering the prompts, then being told what to do next."""

import io
import json
import re

import pexpect
import pytest

from tests.support import BACKENDS, PYTHON, TEMPLATE, cli_env, run

# Colours, and any other control sequence a terminal program may send.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The end of every prompt: "(default): ", the default possibly coloured.
PROMPT_END = r"\)(?:\x1b\[[0-9;]*m)*: "

# Each backend's next steps, in full: a spec of what the hook prints.
START_SERVER = {
    "redis": [
        "  2. Start Redis on 127.0.0.1:6379 (or set REDIS_URL in .env to yours), one of:",
        "       Debian/Ubuntu: sudo apt-get install redis-server",
        "       Homebrew:      brew install redis && brew services start redis",
        "       Docker:        docker compose up -d redis",
    ],
    "memcached": [
        "  2. Start memcached on 127.0.0.1:11211 (or set MEMCACHED_SERVERS in .env to yours),"
        " one of:",
        "       Debian/Ubuntu: sudo apt-get install memcached",
        "       Homebrew:      brew install memcached && brew services start memcached",
        "       Docker:        docker compose up -d memcached",
    ],
}
TOOLBAR_NOTE = "  DJANGO_DEBUG=true in .env shows the debug toolbar (SQL and Cache panels)."
VARNISH_NOTE = "  In production, Varnish goes in front of gunicorn: docs/varnish.md says how."


def expected_next_steps(backend, slug="recipe_site", toolbar=True, varnish=False):
    commands = [
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install -r requirements-dev.txt",
        "python manage.py migrate",
        *(["python manage.py createcachetable"] if backend == "db" else []),
        "python manage.py seed_recipes --count 50",
        "python manage.py runserver   # then open http://127.0.0.1:8000/recipes/",
        "pytest",
    ]
    server = START_SERVER.get(backend, [])
    first = 2 + (1 if server else 0)
    lines = ["Your site is ready. Next steps:", f"  1. cd {slug}", *server]
    lines += [f"  {number}. {command}" for number, command in enumerate(commands, start=first)]
    return [*lines, *([TOOLBAR_NOTE] if toolbar else []), *([VARNISH_NOTE] if varnish else [])]


def printed_next_steps(output):
    text = output[output.index("Your site is ready") :]
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def cookiecutter(*args):
    return [PYTHON, "-m", "cookiecutter", str(TEMPLATE), *args]


@pytest.mark.parametrize("backend", BACKENDS)
def test_next_steps_are_exactly_those_for_the_answers_in_plain_text(tmp_path, backend):
    env = cli_env(tmp_path)
    result = run(
        cookiecutter("--no-input", "--output-dir", str(tmp_path), f"cache_backend={backend}"),
        tmp_path,
        env,
    )
    assert "\x1b[" not in result.stdout, "colour codes in output that is not a terminal"
    assert printed_next_steps(result.stdout) == expected_next_steps(backend)


def test_next_steps_leave_out_the_toolbar_when_it_was_not_chosen(tmp_path):
    env = cli_env(tmp_path)
    answers = ["--no-input", "--output-dir", str(tmp_path), "use_debug_toolbar=no"]
    result = run(cookiecutter(*answers), tmp_path, env)
    assert printed_next_steps(result.stdout) == expected_next_steps("locmem", toolbar=False)


def spawn(args, env, tmp_path):
    """cookiecutter in a terminal wide enough that no prompt wraps."""
    lines, columns = 50, 250
    return pexpect.spawn(
        PYTHON,
        ["-m", "cookiecutter", str(TEMPLATE), "--output-dir", str(tmp_path / "out"), *args],
        cwd=str(tmp_path),
        # pytest-xdist workers export COLUMNS=80, which would win over the terminal's size.
        env={**env, "LINES": str(lines), "COLUMNS": str(columns)},
        encoding="utf-8",
        dimensions=(lines, columns),
        timeout=60,
    )


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
def test_next_steps_are_coloured_on_a_terminal_unless_no_color(tmp_path, no_color):
    env = {**cli_env(tmp_path), "TERM": "xterm-256color"}
    if no_color:
        env["NO_COLOR"] = "1"
    child = spawn(["--no-input", "cache_backend=db"], env, tmp_path)
    output = child.read()
    child.close()
    assert child.exitstatus == 0, output
    assert ("\x1b[" in output) != no_color, output
    assert printed_next_steps(ANSI.sub("", output).replace("\r", "")) == expected_next_steps("db")


# What a person sees at the prompts, with what they type after each: written out
# here, not built from cookiecutter.json, so a question that moves, changes its
# words or its default, or takes the wrong answer, shows up as a difference.
# Two levels unlike the defaults: the answers, not the defaults, must win; the slug
# suggested is made from the name just typed.
DIALOGUE = [
    ("  [1/12] What is your site called? (Recipe Site): ", "Soup Kitchen"),
    (
        "  [2/12] Folder and Python package name (lowercase letters, digits and _) "
        "(soup_kitchen): ",
        "",
    ),
    (
        "  [3/12] One line describing the site (A Django recipe site with caching done right.): ",
        "",
    ),
    ("  [4/12] Your name (for pyproject.toml) (Your Name): ", ""),
    (
        "  [5/12] Where should the cache live?\n"
        "    1 - Local memory (built in; nothing to install; one process only)\n"
        "    2 - Redis (django-redis; needs a Redis server)\n"
        "    3 - Memcached (pymemcache; needs a memcached server)\n"
        "    4 - Database table (built in; needs `manage.py createcachetable`)\n"
        "    5 - Files on disk (built in; needs a writable directory)\n"
        "    Choose from [1/2/3/4/5] (1): ",
        "2",
    ),
    (
        "  [6/12] Cache every page for anonymous visitors (per-site middleware)? [y/n] (n): ",
        "y",
    ),
    (
        "  [7/12] Cache the recipe list and detail pages for anonymous visitors "
        "(per-view cache_page)? [y/n] (y): ",
        "n",
    ),
    (
        "  [8/12] Cache the recipe cards and ingredient lists inside the templates "
        "(template fragments; helps signed-in visitors too)? [y/n] (y): ",
        "n",
    ),
    (
        "  [9/12] Cache the recipe list's rows through the low-level cache API? [y/n] (n): ",
        "y",
    ),
    (
        "  [10/12] Put a shared HTTP cache in front of the site, which serves anonymous "
        "visitors' pages without Python, and while the site is down?\n"
        "    1 - No: Django's own caches only\n"
        "    2 - Varnish (varnish/default.vcl; needs per-site or per-view caching)\n"
        "    Choose from [1/2] (1): ",
        "2",
    ),
    ("  [11/12] How long cached items live, in seconds (600): ", "120"),
    (
        "  [12/12] Add django-debug-toolbar for development (SQL and Cache panels; "
        "only when DJANGO_DEBUG is on)? [y/n] (y): ",
        "n",
    ),
]


def test_every_question_has_plain_words():
    config = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    questions = [key for key in config if not key.startswith("_")]
    assert set(config["__prompts__"]) == set(questions)


def test_interactive_bake_asks_every_question_in_order_and_bakes_the_answers(tmp_path):
    env = {**cli_env(tmp_path), "TERM": "xterm-256color"}
    child = spawn([], env, tmp_path)
    screen = io.StringIO()
    child.logfile_read = screen  # what the terminal shows, typed answers included
    for _, answer in DIALOGUE:
        child.expect(PROMPT_END)
        child.sendline(answer)
    child.read()
    child.close()
    output = ANSI.sub("", screen.getvalue()).replace("\r", "")
    assert child.exitstatus == 0, output
    assert "\x1b[" in screen.getvalue(), "no colour on a terminal"
    dialogue = "".join(f"{prompt}{answer}\n" for prompt, answer in DIALOGUE)
    assert output[: output.index("\nYour site is ready")] == dialogue
    steps = printed_next_steps(output)
    assert steps == expected_next_steps("redis", slug="soup_kitchen", toolbar=False, varnish=True)

    project = tmp_path / "out" / "soup_kitchen"
    settings = (project / "config" / "settings.py").read_text(encoding="utf-8")
    assert '"BACKEND": "django_redis.cache.RedisCache"' in settings
    assert "CACHE_TIMEOUT = 120\n" in settings
    assert '"caching.pages.StoreSharedPagesMiddleware"' in settings
    assert "debug_toolbar" not in settings
    assert "RECIPE_LIST_KEY" in (project / "recipes" / "lists.py").read_text(encoding="utf-8")
    assert "cache_page" not in (project / "recipes" / "urls.py").read_text(encoding="utf-8")
    tests = {path.name for path in (project / "tests").glob("test_*.py")}
    assert {"test_per_site.py", "test_low_level.py"} <= tests
    assert not {"test_per_view.py", "test_template_fragment.py"} & tests
    assert "# Soup Kitchen" in (project / "README.md").read_text(encoding="utf-8")
    assert (project / "varnish" / "default.vcl").is_file()
