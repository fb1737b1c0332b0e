"""The template from a git repository at a tag, re-baked safely, and updated with cruft."""

import json
import shutil

import pytest
from cookiecutter.main import cookiecutter

from tests.support import (
    LEVELS,
    NOT_TEMPLATE,
    PYTHON,
    SLUG,
    TEMPLATE,
    answers_for,
    cli_env,
    git,
    run,
)

BAKED = "{{cookiecutter.project_slug}}"
# A change a later template version makes to a baked file, and a file it adds.
V2_LINE = "# Added in v2 of the template."
V2_FILE = "docs/added-in-v2.md"


def tracked_files(project, env):
    """{path: text} of what `git add -A` would commit."""
    git("init", "-q", cwd=project, env=env)
    git("add", "-A", cwd=project, env=env)
    paths = git("ls-files", cwd=project, env=env).splitlines()
    return {path: (project / path).read_text(encoding="utf-8") for path in paths}


@pytest.fixture
def env(tmp_path):
    return cli_env(tmp_path)


@pytest.fixture
def template_repo(tmp_path, env):
    """A git repository of the template with tag v1, then a commit tagged v2."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE)
    git("init", "-q", "-b", "main", cwd=repo, env=env)
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", "v1", cwd=repo, env=env)
    git("tag", "v1", cwd=repo, env=env)

    with (repo / BAKED / ".env.example").open("a", encoding="utf-8") as example:
        example.write(V2_LINE + "\n")
    (repo / BAKED / V2_FILE).write_text("# Added in {{ cookiecutter.project_name }}\n")
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", "v2", cwd=repo, env=env)
    git("tag", "v2", cwd=repo, env=env)
    return repo


@pytest.mark.slow
def test_bake_from_a_git_url_at_a_tag(tmp_path, env, template_repo):
    # cookiecutter takes a local repository as git+file:// (a plain file:// URL is
    # an UnknownRepoType unless its path contains "git"); cruft as file://.
    url = f"git+file://{template_repo}"
    for tag, has_v2 in [("v1", False), ("v2", True)]:
        out = tmp_path / tag
        command = [PYTHON, "-m", "cookiecutter", url, "--checkout", tag, "--no-input"]
        run([*command, "--output-dir", str(out), "cache_backend=redis"], tmp_path, env)
        project = out / SLUG
        example = (project / ".env.example").read_text(encoding="utf-8")
        assert (V2_LINE in example) == has_v2, tag
        assert (project / V2_FILE).exists() == has_v2, tag
        assert "REDIS_URL=" in example


@pytest.mark.slow
def test_cruft_create_then_update_applies_cleanly(tmp_path, env, template_repo):
    answers = answers_for("memcached", {"cache_per_site", "cache_low_level"})
    run(
        [
            *(PYTHON, "-m", "cruft", "create", f"file://{template_repo}"),
            *("--checkout", "v1", "--no-input", "--output-dir", str(tmp_path / "out")),
            *("--extra-context", json.dumps(answers)),
        ],
        tmp_path,
        env,
    )
    project = tmp_path / "out" / SLUG
    assert ".cruft.json" in tracked_files(project, env)
    git("commit", "-q", "-m", "Baked with cruft", cwd=project, env=env)
    secret = (project / ".env").read_text(encoding="utf-8")

    result = run([PYTHON, "-m", "cruft", "update", "--checkout", "v2", "-y"], project, env)
    assert "Good work" in result.stdout, result.stdout

    status = git("status", "--porcelain", "--untracked-files=all", cwd=project, env=env)
    changed = {line[3:] for line in status.splitlines()}
    assert changed == {".cruft.json", ".env.example", V2_FILE}, status
    assert V2_LINE in (project / ".env.example").read_text(encoding="utf-8")
    assert (project / V2_FILE).read_text(encoding="utf-8") == "# Added in Recipe Site\n"
    assert (project / ".env").read_text(encoding="utf-8") == secret, ".env was touched"
    assert not list(project.rglob("*.rej")), "conflicts left behind"
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["context"]["cookiecutter"]["cache_backend"] == "memcached"
    run([PYTHON, "-m", "cruft", "check"], project, env)


def bake_in(out, answers, env, **options):
    """Bake with cookiecutter's own API, as cruft does, into out."""
    config = env["COOKIECUTTER_CONFIG"]
    cookiecutter(
        str(TEMPLATE),
        no_input=True,
        output_dir=str(out),
        config_file=config,
        extra_context=answers,
        **options,
    )
    return out / SLUG


@pytest.mark.parametrize(
    "answers", [answers_for("redis", set(LEVELS)), answers_for("file", {"cache_per_view"})]
)
def test_tracked_files_hold_no_random_values(tmp_path, env, answers):
    """Two bakes with the same answers commit the same files, byte for byte."""
    one = tracked_files(bake_in(tmp_path / "one", answers, env), env)
    two = tracked_files(bake_in(tmp_path / "two", answers, env), env)
    assert ".env" not in one, ".env would be committed"
    assert one == two


def test_baking_again_over_the_project_changes_nothing(tmp_path, env):
    """cruft and --overwrite-if-exists run the hooks again: they must be safe to repeat."""
    answers = answers_for("db", {"cache_template_fragment"})
    project = bake_in(tmp_path, answers, env)
    first = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    bake_in(tmp_path, answers, env, overwrite_if_exists=True)
    second = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    assert second == first
