"""The baked project's tooling: settings documented, servers to develop and test against."""

import ast
import re
from pathlib import Path

import pytest
import yaml

from tests.support import (
    BACKENDS,
    LEVELS,
    PYTHON,
    StepFailed,
    answers_for,
    answers_id,
    cli_env,
    free_port,
    get,
    git,
    prepare,
    run,
    serve,
    with_varnish,
)

# compose.yaml: the chosen backend's server, and PostgreSQL, for local development.
COMPOSE_SERVICES = {
    "locmem": {"postgres"},
    "redis": {"redis", "postgres"},
    "memcached": {"memcached", "postgres"},
    "db": {"postgres"},
    "file": {"postgres"},
}
# The CI workflow's service containers: only a cache server the tests talk to.
CI_SERVICES = {"redis": {"redis"}, "memcached": {"memcached"}}
# Where each server listens by default, as .env.example says.
DEFAULT_PORTS = {"redis": 6379, "memcached": 11211, "postgres": 5432}


def env_reads(settings_source):
    """{name: default as .env.example writes it} for each env("NAME", default=...)
    or env.<type>("NAME", default=...) call in the settings; a default the settings
    compute (a path in the project) is written as an empty value."""
    reads = {}
    for node in ast.walk(ast.parse(settings_source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            func = func.value
        if not (isinstance(func, ast.Name) and func.id == "env"):
            continue
        name = ast.literal_eval(node.args[0])
        default = next(keyword.value for keyword in node.keywords if keyword.arg == "default")
        try:
            value = ast.literal_eval(default)
        except ValueError:
            value = ""
        if isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, list):
            value = ",".join(value)
        reads[name] = str(value)
    return reads


def load_yaml(project, name):
    path = project / name
    assert path.is_file(), f"{name} is missing"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_schema(project, name, schema):
    """Validate a file against a schema check-jsonschema ships (no network needed)."""
    run([PYTHON, "-m", "check_jsonschema", "--builtin-schema", schema, name], project, None)


@pytest.fixture(params=BACKENDS, ids=lambda backend: f"backend:{backend}")
def baked(request, bake):
    backend = request.param
    return backend, bake(answers_for(backend, set(LEVELS)))


def assert_env_example_lists_every_variable_the_settings_read(project, where):
    settings = (project / "config" / "settings.py").read_text(encoding="utf-8")
    example = dict(
        line.split("=", 1)
        for line in (project / ".env.example").read_text(encoding="utf-8").splitlines()
        if re.match(r"[A-Z][A-Z0-9_]*=", line)
    )
    read = env_reads(settings)
    assert read, "found no env() calls in config/settings.py"
    assert set(example) == set(read), f"{where}: .env.example and settings differ"
    for name, default in read.items():
        assert example[name] == default, f"{where}: {name}'s default in .env.example"


def test_env_example_lists_every_variable_the_settings_read(baked):
    backend, project = baked
    assert_env_example_lists_every_variable_the_settings_read(project, f"backend:{backend}")


def test_compose_offers_the_backend_server_and_postgres(baked):
    backend, project = baked
    compose = load_yaml(project, "compose.yaml")
    assert set(compose["services"]) == COMPOSE_SERVICES[backend]
    for name, service in compose["services"].items():
        port = DEFAULT_PORTS[name]
        # Only this machine can reach them.
        assert service["ports"] == [f"127.0.0.1:{port}:{port}"], name
    example = (project / ".env.example").read_text(encoding="utf-8")
    if backend == "redis":
        assert "REDIS_URL=redis://127.0.0.1:6379/" in example
    if backend == "memcached":
        assert "MEMCACHED_SERVERS=127.0.0.1:11211" in example
    check_schema(project, "compose.yaml", "vendor.compose-spec")


def test_ci_workflow_tests_against_the_backend_service(baked):
    backend, project = baked
    workflow = load_yaml(project, ".github/workflows/ci.yml")
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request"} <= set(triggers)

    test = workflow["jobs"]["test"]
    assert set(test.get("services", {})) == CI_SERVICES.get(backend, set())
    for name, service in test.get("services", {}).items():
        assert service["ports"] == [f"{DEFAULT_PORTS[name]}:{DEFAULT_PORTS[name]}"], name
    assert test["env"]["DJANGO_ENV"] == "development"
    if backend == "redis":
        assert test["env"]["REDIS_URL"].startswith("redis://127.0.0.1:6379/")
        # check --deploy warns of a Redis without maxmemory, or under noeviction.
        bounded = [step for step in test["steps"] if "maxmemory-policy" in step.get("run", "")]
        deploy = [step for step in test["steps"] if "--deploy" in step.get("run", "")]
        assert bounded and test["steps"].index(bounded[0]) < test["steps"].index(deploy[0])
    if backend == "memcached":
        assert test["env"]["MEMCACHED_SERVERS"] == "127.0.0.1:11211"

    # The secret key is made in the run, never written in the file.
    envs = [test["env"], *(step.get("env", {}) for step in test["steps"])]
    assert not any("DJANGO_SECRET_KEY" in env for env in envs)
    runs = [step.get("run", "") for step in test["steps"]]
    assert any("secrets.token_urlsafe" in r and "DJANGO_SECRET_KEY=" in r for r in runs), runs
    assert "pip install -r requirements-dev.txt" in runs
    assert "lint-imports" in runs
    assert "pytest" in runs
    lint = [step.get("run", "") for step in workflow["jobs"]["lint"]["steps"]]
    assert any(r.startswith("pre-commit run --all-files") for r in lint), lint
    check_schema(project, ".github/workflows/ci.yml", "vendor.github-workflows")


def test_caching_imports_neither_the_apps_nor_the_settings(baked):
    """The import contract of pyproject.toml holds, and lint-imports fails once it breaks."""
    backend, project = baked
    lint_imports = [str(Path(PYTHON).with_name("lint-imports")), "--no-cache"]
    run(lint_imports, project, None)
    conf = project / "caching" / "conf.py"
    conf.write_text(f"{conf.read_text(encoding='utf-8')}\nimport recipes.models\n", "utf-8")
    with pytest.raises(StepFailed, match="caching.conf -> recipes.models"):
        run(lint_imports, project, None)


def test_varnish_in_front_is_configured_run_and_checked(bake):
    answers = with_varnish(answers_for("redis", {"cache_per_view"}))
    project = bake(answers)
    assert_env_example_lists_every_variable_the_settings_read(project, answers_id(answers))
    compose = load_yaml(project, "compose.yaml")
    varnish = compose["services"]["varnish"]
    # The VCL's backend, 127.0.0.1:8000, is gunicorn on this machine; only it reaches Varnish.
    assert varnish["network_mode"] == "host" and "127.0.0.1:6081" in varnish["command"]
    check_schema(project, "compose.yaml", "vendor.compose-spec")
    workflow = load_yaml(project, ".github/workflows/ci.yml")
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert any("apt-get install" in r and "varnishd -C -f" in r for r in runs), runs
    check_schema(project, ".github/workflows/ci.yml", "vendor.github-workflows")


def test_dependabot_proposes_upgrades_within_django_lts(baked):
    backend, project = baked
    config = load_yaml(project, ".github/dependabot.yml")
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}, f"backend:{backend}"
    for ecosystem, update in updates.items():
        assert update["directory"] == "/", ecosystem
        assert update["schedule"]["interval"] == "weekly", ecosystem
    # requirements.txt pins Django 5.2 LTS: never a pull request for Django 6.
    assert {
        "dependency-name": "django",
        "update-types": ["version-update:semver-major"],
    } in updates["pip"]["ignore"]
    check_schema(project, ".github/dependabot.yml", "vendor.dependabot")


def test_gitignore_covers_what_the_bake_writes_and_nothing_else(bake, tmp_path):
    project = bake(answers_for("file", set(LEVELS)))
    env = cli_env(tmp_path)
    git("init", "-q", cwd=project, env=env)
    git("add", "-A", cwd=project, env=env)
    ignored = git("status", "--porcelain", "--ignored", cwd=project, env=env)
    assert [line for line in ignored.splitlines() if line.startswith("!!")] == ["!! .env"]


# The pre-commit hooks install from PyPI the first time (cached in ~/.cache/pre-commit).
PRE_COMMIT_BAKES = [
    answers_for("locmem", {"cache_per_view", "cache_template_fragment"}),
    answers_for("redis", set(LEVELS)),
    {**answers_for("db", set()), "use_debug_toolbar": False},
]


@pytest.mark.slow
@pytest.mark.parametrize("answers", PRE_COMMIT_BAKES, ids=answers_id)
def test_baked_project_passes_its_own_pre_commit_hooks(bake, tmp_path, answers):
    project = bake(answers)
    env = cli_env(tmp_path)
    git("init", "-q", cwd=project, env=env)
    git("add", "-A", cwd=project, env=env)
    pre_commit = [PYTHON, "-m", "pre_commit"]
    run([*pre_commit, "validate-config"], project, env)
    run([*pre_commit, "run", "--all-files", "--show-diff-on-failure"], project, env, timeout=900)
    assert git("diff", "--stat", cwd=project, env=env) == "", "the hooks changed files"
    # Only PyPI-installed local hooks: autoupdate has nothing to fetch and must not fail.
    run([*pre_commit, "autoupdate"], project, env)


def debug_toolbar_active(project, env):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print('debug_toolbar' in settings.INSTALLED_APPS)"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return run([PYTHON, "-c", code], project, env).stdout.strip() == "True"


@pytest.mark.slow
def test_debug_toolbar_shows_sql_and_cache_panels_only_in_debug(bake, tmp_path):
    project = bake(answers_for("locmem", {"cache_per_view", "cache_template_fragment"}))
    env = cli_env(tmp_path)
    debug = {**env, "DJANGO_DEBUG": "true"}
    assert debug_toolbar_active(project, debug)
    assert not debug_toolbar_active(project, env)
    assert not debug_toolbar_active(project, {**debug, "PYTEST_VERSION": "9"})
    run([PYTHON, "manage.py", "check", "--fail-level", "WARNING"], project, debug)
    prepare(project, debug, recipes=5)

    port = free_port()
    runserver = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with serve(runserver, port, project, debug, "runserver") as site:
        pages = [get(f"{site}/recipes/")[2] for _ in range(2)]
        panels = [re.findall(r"<small>\s*([^<]*?)\s*</small>", page) for page in pages]
        for page in pages:
            assert 'id="djDebug"' in page and "SQLPanel" in page and "CachePanel" in page
        # The first visit reads the database; the second is the cached page: no SQL,
        # and the Cache panel counts the calls that found it.
        assert "3 queries" in " ".join(panels[0]), panels[0]  # count, recipes, ingredients
        assert "0 queries" in " ".join(panels[1]), panels[1]
        assert any(re.fullmatch(r"[1-9]\d* calls? in .*", text) for text in panels[1]), panels[1]
        status, _, _ = get(f"{site}/static/debug_toolbar/js/toolbar.js")
        assert status == 200
