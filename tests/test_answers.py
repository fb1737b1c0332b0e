"""Bad answers get one clear line and leave nothing behind; odd but valid ones bake.

Bad answers go through the real `cookiecutter` command, as a user would type them.
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support import PYTHON, TEMPLATE, run

COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")
IDENTIFIER = "must be a Python identifier (ASCII letters, digits, _; not starting with a digit)"
SHADOWS = "would shadow a module the project imports; pick another name"
TIMEOUT = "must be a whole number of seconds greater than 0"
BACKENDS = "must be one of locmem, redis, memcached, db, file"

# (field, answer, what is wrong, the answer as the message shows it)
BAD_ANSWERS = [
    ("project_slug", "My_Site", "must be lowercase", None),
    ("project_slug", "my-site", IDENTIFIER, None),
    ("project_slug", "1st_site", IDENTIFIER, None),
    ("project_slug", "café", IDENTIFIER, None),
    ("project_slug", "class", "is a Python keyword", None),
    ("project_slug", "match", "is a Python keyword", None),
    ("project_slug", "django", SHADOWS, None),
    ("project_slug", "config", SHADOWS, None),
    ("project_slug", "recipes", SHADOWS, None),
    ("project_slug", "caching", SHADOWS, None),
    ("project_slug", "test", SHADOWS, None),
    ("project_slug", "site", SHADOWS, None),
    ("project_slug", "json", SHADOWS, None),
    ("project_name", "", "must not be empty", None),
    ("project_name", "   ", "must not be empty", None),
    ("project_name", "two\nlines", "must be one line of text", "two\\nlines"),
    ("cache_timeout", "0", TIMEOUT, None),
    ("cache_timeout", "-5", TIMEOUT, None),
    ("cache_timeout", "ten", TIMEOUT, None),
    ("cache_timeout", "1.5", TIMEOUT, None),
    (
        "cache_timeout",
        "31536001",
        "must be at most 31536000 seconds (a year); for 'never expire', use that",
        None,
    ),
]
# Choices and booleans on the command line are checked by cookiecutter itself
# (see test_an_unknown_backend_on_the_command_line); a replay file reaches the hook.
BAD_REPLAYED_ANSWERS = [
    ("cache_backend", "mysql", BACKENDS),
    ("cache_backend", "Redis", BACKENDS),
    ("cache_per_site", "maybe", "must be true or false"),
    ("cache_timeout", "600s", TIMEOUT),
    ("front_cache", "nginx", "must be one of none, varnish"),
]


@pytest.fixture
def cookiecutter_cli(tmp_path):
    """Run the cookiecutter command on the template, with its files kept in tmp_path."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n",
        encoding="utf-8",
    )
    output = tmp_path / "output"
    output.mkdir()

    def bake(*options, answers=()):
        command = [COOKIECUTTER, "--config-file", config, "--output-dir", output, *options]
        result = subprocess.run(
            [*command, TEMPLATE, *answers], capture_output=True, text=True, timeout=120, check=False
        )
        result.left_behind = sorted(path.name for path in output.iterdir())
        return result

    return bake


def replay_file(tmp_path, **answers):
    """A replay file with the default answers, changed by answers."""
    defaults = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    replay = {
        key: value[0] if isinstance(value, list) else value
        for key, value in defaults.items()
        if not key.startswith("_")
    }
    replay.update(project_slug="recipe_site", **answers)
    path = tmp_path / "replay.json"
    path.write_text(json.dumps({"cookiecutter": replay}), encoding="utf-8")
    return path


def assert_refused(result, field, problem, shown):
    expected = f"ERROR: {field}: {problem} (got '{shown}')"
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines()[:1] == [expected], result.stderr
    assert "Traceback" not in result.stderr
    assert result.left_behind == []


@pytest.mark.parametrize(
    ("field", "answer", "problem", "shown"),
    BAD_ANSWERS,
    ids=[f"{field}:{answer!r}" for field, answer, _, _ in BAD_ANSWERS],
)
def test_a_bad_answer_is_refused_in_one_line(cookiecutter_cli, field, answer, problem, shown):
    result = cookiecutter_cli("--no-input", answers=[f"{field}={answer}"])
    assert_refused(result, field, problem, answer if shown is None else shown)


@pytest.mark.parametrize(
    ("field", "answer", "problem"),
    BAD_REPLAYED_ANSWERS,
    ids=[f"{field}:{answer!r}" for field, answer, _ in BAD_REPLAYED_ANSWERS],
)
def test_a_bad_replayed_answer_is_refused_in_one_line(
    cookiecutter_cli, tmp_path, field, answer, problem
):
    result = cookiecutter_cli("--replay-file", replay_file(tmp_path, **{field: answer}))
    assert_refused(result, field, problem, answer)


def test_varnish_needs_a_page_level(cookiecutter_cli, tmp_path):
    answers = {"cache_per_site": False, "cache_per_view": False, "front_cache": "varnish"}
    result = cookiecutter_cli("--replay-file", replay_file(tmp_path, **answers))
    problem = "needs cache_per_site or cache_per_view, which decide the pages visitors share"
    assert_refused(result, "front_cache", problem, "varnish")


def test_a_name_without_letters_or_digits_needs_a_slug(cookiecutter_cli):
    result = cookiecutter_cli("--no-input", answers=["project_name=!!!"])
    assert_refused(result, "project_slug", IDENTIFIER, "(none)")


def test_a_good_replay_bakes(cookiecutter_cli, tmp_path):
    result = cookiecutter_cli("--replay-file", replay_file(tmp_path, cache_backend="redis"))
    assert result.returncode == 0, result.stderr
    assert result.left_behind == ["recipe_site"]


def test_an_unknown_backend_on_the_command_line(cookiecutter_cli):
    """cookiecutter checks a choice given on the command line before any hook runs.

    Its answer is a ValueError traceback whose last line names the choices;
    nothing in a template can run before it (see the README).
    """
    result = cookiecutter_cli("--no-input", answers=["cache_backend=mysql"])
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "ValueError: mysql provided for choice variable cache_backend, "
        "but the choices are ['locmem', 'redis', 'memcached', 'db', 'file']."
    )
    assert result.left_behind == []


ODD_NAMES = [
    'Bob\'s "Best" C:\\Recipes\\',
    "Crème brûlée & Café 日本",
    "Recipes {{ 7*7 }} and {% if %} and {# #}",
    "My recipes {{",
    "Recipes {{ cycler.__init__.__globals__.os.system('touch answer-ran') }}",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_an_odd_name_bakes_a_valid_project(cookies, name):
    description = f'About {name}, said "twice" \\ {name}'
    result = cookies.bake(extra_context={"project_name": name, "description": description})
    assert result.exit_code == 0, result.exception
    project = result.project_path
    readme = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert readme[0] == f"# {name}"
    assert readme[2] == description
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == description
    assert not list(project.parent.rglob("answer-ran"))
    run([PYTHON, "manage.py", "check", "--fail-level", "WARNING"], project, env=None)
