"""The READMEs stay short for their readers, and every link in them and their docs/ resolves.

The template README (this repository's) and the baked README each say what their
reader needs first and link the rest, which lives in `docs/` beside them.
"""

import re

import pytest

from tests.support import LEVELS, TEMPLATE, answers_for, answers_id, with_varnish

# Line budgets: the template README, and the baked README of its longest bake.
TEMPLATE_README_LINES = 300
BAKED_README_LINES = 250
ALL_LEVELS_REDIS = answers_for("redis", set(LEVELS))
BAKES = [
    ALL_LEVELS_REDIS,
    with_varnish(answers_for("memcached", {"cache_per_site", "cache_low_level"})),
    answers_for("locmem", set()),
    answers_for("db", set(LEVELS)),
    answers_for("file", {"cache_template_fragment"}),
]
# [text](target): a Markdown link; the target up to an optional "#anchor".
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files(root):
    """The READMEs and docs/ pages under root (the template's own, or a baked project)."""
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    if (root / "benchmarks" / "README.md").exists():
        files.append(root / "benchmarks" / "README.md")
    return files


def anchors(text):
    """The anchors GitHub makes of a page's headings: lowercase, no punctuation, - for a space."""
    found = set()
    for heading in re.findall(r"(?m)^#{1,6} (.+)$", text):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
        found.add(slug.replace(" ", "-"))
    return found


def broken_links(root):
    """Each relative link under root whose file, or whose #anchor in it, does not exist."""
    broken = []
    for page in markdown_files(root):
        text = page.read_text(encoding="utf-8")
        in_code = re.sub(r"(?s)```.*?```", "", text)
        for target in LINK.findall(in_code):
            if re.match(r"[a-z]+:", target):  # https:, mailto:: not a file
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.is_file():
                broken.append(f"{page.relative_to(root)}: {target} (no such file)")
            elif anchor and anchor not in anchors(file.read_text(encoding="utf-8")):
                broken.append(f"{page.relative_to(root)}: {target} (no such heading)")
    return broken


def test_the_template_readme_is_short_and_its_links_resolve():
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(readme) <= TEMPLATE_README_LINES, f"README.md is {len(readme)} lines"
    assert broken_links(TEMPLATE) == []


@pytest.mark.parametrize("answers", BAKES, ids=answers_id)
def test_the_baked_readme_is_short_and_its_links_resolve(bake, answers):
    project = bake(answers)
    readme = (project / "README.md").read_text(encoding="utf-8")
    if answers == ALL_LEVELS_REDIS:  # the longest README
        lines = len(readme.splitlines())
        assert lines <= BAKED_README_LINES, f"the baked README is {lines} lines"
    assert broken_links(project) == []
    for page in markdown_files(project):
        text = page.read_text(encoding="utf-8")
        assert "\n\n\n" not in text, f"{page.name}: a run of blank lines"
        assert not re.search(r"\{\{|\{%(?! (load )?cache| endcache)|\{#", text), page.name
