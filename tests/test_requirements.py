"""Pinned requirements: each bake installs exact versions, the ones these tests ran.

The ranges live in templates/requirements/*.in; `make lock` compiles them into the
.txt lock beside each (which the baked requirements files include) and into this
template's own requirements-dev.txt, which pins the environment the tests run in.
Dependencies are followed through the metadata of the installed packages, which
are the pinned versions (test_baked_pins_are_what_the_tests_run).
"""

import re
from importlib import metadata

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import BACKENDS, LEVELS, TEMPLATE, answers_for, answers_id

LOCKS = TEMPLATE / "templates" / "requirements"
TEMPLATE_LOCK = TEMPLATE / "requirements-dev.txt"
# The locks a bake includes: one for requirements.txt, the rest for requirements-dev.txt,
# which starts with `-r requirements.txt` (so they leave out what base.txt pins).
BAKED_LOCKS = ["base", "redis", "memcached", "dev", "debug-toolbar"]
DEVELOPMENT_LOCKS = {"dev", "debug-toolbar"}
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.!+_-]+)")

BAKES = [
    {**answers_for(backend, set(LEVELS)), "use_debug_toolbar": toolbar}
    for backend in BACKENDS
    for toolbar in (True, False)
]


def requirement_lines(path):
    """(line number, text) of each line that is not blank or a comment."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            yield number, line


def pins(path, allow=()):
    """{name: version} of a file where every line is name==version (or in allow)."""
    pinned = {}
    for number, line in requirement_lines(path):
        if line in allow:
            continue
        match = PIN.fullmatch(line)
        assert match, f"{path.name}:{number}: {line!r} is not an exact name==version pin"
        name = canonicalize_name(match["name"])
        assert name not in pinned, f"{path.name}:{number}: {name} pinned twice"
        pinned[name] = match["version"]
    return pinned


def ranges(path):
    """The requirements of an .in file, following its -r lines."""
    requirements = []
    for _, line in requirement_lines(path):
        if line.startswith("-r "):
            requirements += ranges(path.parent / line.removeprefix("-r ").strip())
        else:
            requirements.append(Requirement(line))
    return requirements


def needed(requirements):
    """{name: Requirement} of the requirements and, through the installed packages'
    metadata, of everything they need on this Python, extras included."""
    found = {}
    queue = [(requirement, set(requirement.extras)) for requirement in requirements]
    while queue:
        requirement, extras = queue.pop()
        name = canonicalize_name(requirement.name)
        seen = name in found and extras <= set(found[name].extras)
        if seen:
            continue
        found[name] = requirement
        for text in metadata.requires(name) or []:
            dependency = Requirement(text)
            markers = [{"extra": extra} for extra in extras or {""}]
            if dependency.marker is None or any(dependency.marker.evaluate(m) for m in markers):
                queue.append((dependency, set(dependency.extras)))
    return found


@pytest.fixture(params=BAKES, ids=answers_id)
def baked(request, cookies):
    answers = request.param
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == 0, f"bake with {answers_id(answers)} failed: {result.exception}"
    return answers, result.project_path


def test_every_baked_requirement_is_an_exact_pin(baked):
    answers, project = baked
    runtime = pins(project / "requirements.txt")
    development = pins(project / "requirements-dev.txt", allow={"-r requirements.txt"})
    first = next(requirement_lines(project / "requirements-dev.txt"))[1]
    assert first == "-r requirements.txt", answers_id(answers)
    for name in runtime.keys() & development.keys():
        assert runtime[name] == development[name], f"{answers_id(answers)}: two pins of {name}"


def test_each_bake_pins_all_it_needs_and_nothing_else(baked):
    """Installing with --no-deps would get a working site: nothing left to resolve."""
    answers, project = baked
    pinned = pins(project / "requirements.txt")
    pinned |= pins(project / "requirements-dev.txt", allow={"-r requirements.txt"})
    sources = [LOCKS / "base.in", LOCKS / "dev.in"]
    if answers["cache_backend"] in ("redis", "memcached"):
        sources[0] = LOCKS / f"{answers['cache_backend']}.in"
    if answers["use_debug_toolbar"]:
        sources.append(LOCKS / "debug-toolbar.in")
    needs = needed([requirement for source in sources for requirement in ranges(source)])
    where = answers_id(answers)
    unpinned, unneeded = sorted(needs.keys() - pinned.keys()), sorted(pinned.keys() - needs.keys())
    assert not unpinned, f"{where}: needs {unpinned}, which no requirements file pins"
    assert not unneeded, f"{where}: pins {unneeded}, which nothing needs"
    for name, requirement in needs.items():
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{where}: {name}=={pinned[name]} does not satisfy {requirement}"
        )


@pytest.mark.parametrize("lock", BAKED_LOCKS)
def test_baked_pins_are_what_the_tests_run(lock):
    """The template's environment is installed from its own lock, which pins the same."""
    tested = pins(TEMPLATE_LOCK)
    for name, version in pins(LOCKS / f"{lock}.txt").items():
        assert tested.get(name) == version, f"{lock}.txt pins {name}=={version}: run make lock"
        installed = metadata.version(name)
        assert installed == version, (
            f"{lock}.txt pins {name}=={version} but the tests run {installed}: "
            "pip install -r requirements-dev.txt"
        )


@pytest.mark.parametrize("lock", [*BAKED_LOCKS, "template"])
def test_pins_satisfy_the_ranges(lock):
    """Each lock pins what its .in asks for, within the range (`make lock` after an edit)."""
    path = TEMPLATE_LOCK if lock == "template" else LOCKS / f"{lock}.txt"
    pinned = pins(path)
    if lock in DEVELOPMENT_LOCKS:
        pinned = pins(LOCKS / "base.txt") | pinned
    for requirement in ranges(LOCKS / f"{lock}.in"):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{path.name} does not pin {name}: run make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{path.name} pins {name}=={pinned[name]}, outside {requirement}: run make lock"
        )


def test_pre_commit_hooks_run_the_pinned_linters():
    """The baked hooks install their linters alone: the same versions as requirements-dev.txt,
    so `pre-commit run` and `ruff check` give one verdict."""
    config = TEMPLATE / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml"
    development = pins(LOCKS / "dev.txt")
    hooks = [
        hook
        for repo in yaml.safe_load(config.read_text(encoding="utf-8"))["repos"]
        for hook in repo["hooks"]
    ]
    checked = set()
    for hook in hooks:
        for dependency in hook.get("additional_dependencies", []):
            name, version = dependency.split("==")
            name = canonicalize_name(name)
            if name in development:
                assert version == development[name], (
                    f"{hook['id']} installs {dependency}; dev.txt pins {development[name]}"
                )
                checked.add(name)
    assert {"ruff", "djlint", "import-linter"} <= checked
