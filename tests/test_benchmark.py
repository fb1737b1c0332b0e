"""The template's benchmark runs end to end (its figures are not asserted: speed is not a test)."""

import re

import pytest

from tests.support import PYTHON, TEMPLATE, run, site_env

pytestmark = pytest.mark.slow

# A REDIS_URL or DATABASE_URL in the shell must not reach the benchmarked sites: these
# would break every site if they leaked in.
LEAKY_SHELL = site_env(
    REDIS_URL="redis://127.0.0.1:1/0", DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing"
)


def test_benchmark_writes_table_and_chart(tmp_path):
    command = [PYTHON, "benchmarks/run.py", "--quick", "--backends", "locmem"]
    run([*command, "--out", str(tmp_path)], TEMPLATE, LEAKY_SHELL)
    table = (tmp_path / "results.md").read_text()
    locmem = next(line for line in table.splitlines() if line.startswith("| locmem |"))
    cells = [cell.strip() for cell in locmem.strip("|").split("|")]
    # backend, trivial, trivial + 1 read, off, per_site, per_view, fragment, low_level,
    # then real traffic: hit ratio, renders per edit, p50 / p99 ms
    assert cells[2].endswith("x)"), locmem
    assert cells[3].endswith("[3q]"), locmem  # caching off: count, recipes, ingredients
    # A hit reads no recipe; with fragments alone the view still counts them (page links).
    assert [cell[-4:] for cell in cells[4:8]] == ["[0q]", "[0q]", "[1q]", "[0q]"], locmem
    assert 0 <= float(cells[8]) <= 1, locmem
    assert re.fullmatch(r"\d+\.\d \([1-9]\d* edits?\)", cells[9]), locmem  # edits were made
    assert " / " in cells[10], locmem
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")


def test_benchmark_puts_our_redis_pages_side_by_side_with_the_article(tmp_path):
    command = [PYTHON, "benchmarks/run.py", "--quick", "--backends", "redis"]
    command += ["--sections", "article", "--out", str(tmp_path)]
    run(command, TEMPLATE, LEAKY_SHELL)
    table = (tmp_path / "results.md").read_text()
    assert "Side by side with the article's cache_page" in table, table
    # Each site holds one page of ours, 50 recipes: every page compared lists them all.
    assert "the article's 50 recipes" in table, table
    assert "our per-view 50 recipes" in table and "our per-site 50 recipes" in table, table
    rounds = [line for line in table.splitlines() if line.startswith("| 1 |")]
    assert len(rounds) == 1, table  # --quick: one round
    # round, article, our per-view, our per-site, Varnish in front, trivial view:
    # req/s (ratio) · CPU a hit
    cells = [cell.strip() for cell in rounds[0].strip("|").split("|")]
    assert re.fullmatch(r"\d+ · \d+ us", cells[1]), rounds[0]
    ours = r"\d+ \(\d+\.\d\dx\) · \d+ us \(\d+\.\d\dx\)"
    assert all(re.fullmatch(ours, cell) for cell in cells[2:4]), rounds[0]
    front = r"\d+ \(\d+\.\d\dx\) · \d+ us · \d+\.\dx per-site"
    assert re.fullmatch(front, cells[4]), rounds[0]
    assert re.fullmatch(r"\d+ \(\d+\.\d\dx\) · \d+ us", cells[5]), rounds[0]
    assert not (tmp_path / "results.png").exists()  # no levels section, no chart


def test_profile_of_a_hit_names_each_layer_and_counts_redis_commands():
    command = [PYTHON, "benchmarks/profile_hit.py", "--requests", "20", "--functions", "3"]

    table = run(command, TEMPLATE, LEAKY_SHELL).stdout.split("\n\n")[0]
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()
        )
    }
    assert rows["layer"] == ["article (us)", "per_view (us)", "per_site (us)", "trivial (us)"]
    assert "ServeSharedPagesMiddleware" in rows and "MessageMiddleware" in rows, table
    # The article's cache_page asks Redis twice a hit (header key, page); ours, once warm, never.
    article, per_view, per_site, _ = map(float, rows["Redis commands per hit"])
    assert article >= 2 and per_view < 0.5 and per_site < 0.5, table


def test_hostile_section_runs_alone_and_counts_no_entries_for_a_flood(tmp_path):
    command = [PYTHON, "benchmarks/run.py", "--quick", "--backends", "redis"]
    command += ["--sections", "hostile", "--out", str(tmp_path)]

    run(command, TEMPLATE, LEAKY_SHELL)
    table = (tmp_path / "results.md").read_text()
    assert table.startswith("### Hostile traffic"), table  # the hostile section alone
    # before, now: entries are a count, not a speed.
    assert "| flood: entries per 1,000 requests | 3,357 | 0 |" in table, table
    rows = {line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")}
    assert {"none", "zlib", "storm: missing pages, median / max"} <= rows, table
    assert not (tmp_path / "results.png").exists()
