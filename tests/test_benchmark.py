"""The template's benchmark runs end to end (its figures are not asserted: speed is not a test)."""

import pytest

from tests.support import PYTHON, TEMPLATE, run

pytestmark = pytest.mark.slow


def test_benchmark_writes_table_and_chart(tmp_path):
    command = [PYTHON, "benchmarks/run.py", "--backends", "locmem", "--seconds", "1"]
    run([*command, "--rounds", "1", "--out", str(tmp_path)], TEMPLATE, None)
    table = (tmp_path / "results.md").read_text()
    locmem = next(line for line in table.splitlines() if line.startswith("| locmem |"))
    cells = [cell.strip() for cell in locmem.strip("|").split("|")]
    # backend, trivial, trivial + 1 read, off, per_site, per_view, fragment, low_level
    assert cells[2].endswith("x)"), locmem
    assert cells[3].endswith("[3q]"), locmem  # caching off: count, recipes, ingredients
    # A hit reads no recipe; with fragments alone the view still counts them (page links).
    assert [cell[-4:] for cell in cells[4:]] == ["[0q]", "[0q]", "[1q]", "[0q]"], locmem
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")
