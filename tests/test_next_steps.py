"""Baking as a person does: answering the prompts, then being told what to do next."""

import json
import re

import pexpect
import pytest

from tests.support import BACKENDS, PYTHON, TEMPLATE, cli_env, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")
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


def expected_next_steps(backend, slug="recipe_site", toolbar=True):
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
    return [*lines, *([TOOLBAR_NOTE] if toolbar else [])]


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


def test_interactive_bake_asks_every_question_in_order_and_bakes_the_answers(tmp_path):
    config = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    prompts = config["__prompts__"]
    questions = [key for key in config if not key.startswith("_")]
    assert set(prompts) == set(questions), "every question has plain words in __prompts__"
    answers = {
        "project_name": "Soup Kitchen",
        "cache_backend": str(config["cache_backend"].index("redis") + 1),
        # Two levels, both unlike the defaults: the answers, not the defaults, must win.
        "cache_per_site": "y",
        "cache_per_view": "n",
        "cache_template_fragment": "n",
        "cache_low_level": "y",
        "cache_timeout": "120",
        "use_debug_toolbar": "n",
    }

    env = {**cli_env(tmp_path), "TERM": "xterm-256color"}
    child = spawn([], env, tmp_path)
    transcript = []
    for number, key in enumerate(questions, start=1):
        prompt = prompts[key]
        child.expect_exact(f"[{number}/{len(questions)}]")
        if isinstance(prompt, dict):  # a choice: the question, then each option's label
            child.expect_exact(prompt["__prompt__"])
            for option in config[key]:
                child.expect_exact(prompt[option])
        else:
            child.expect_exact(prompt)
        child.expect(PROMPT_END)
        transcript.append(key)
        child.sendline(answers.get(key, ""))
    output = child.read()
    child.close()
    assert transcript == questions
    assert child.exitstatus == 0, output
    assert "\x1b[" in output, "no colour on a terminal"
    steps = printed_next_steps(ANSI.sub("", output).replace("\r", ""))
    assert steps == expected_next_steps("redis", slug="soup_kitchen", toolbar=False)

    project = tmp_path / "out" / "soup_kitchen"
    settings = (project / "config" / "settings.py").read_text(encoding="utf-8")
    assert '"BACKEND": "django_redis.cache.RedisCache"' in settings
    assert "CACHE_TIMEOUT = 120\n" in settings
    assert '"django.middleware.cache.UpdateCacheMiddleware"' in settings
    assert "debug_toolbar" not in settings
    assert "RECIPE_LIST_KEY" in (project / "recipes" / "caching.py").read_text(encoding="utf-8")
    assert "cache_page" not in (project / "recipes" / "views.py").read_text(encoding="utf-8")
    tests = {path.name for path in (project / "tests").glob("test_*.py")}
    assert {"test_per_site.py", "test_low_level.py"} <= tests
    assert not {"test_per_view.py", "test_template_fragment.py"} & tests
    assert "# Soup Kitchen" in (project / "README.md").read_text(encoding="utf-8")
