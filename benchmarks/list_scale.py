"""Does a miss on /recipes/ cost more with a bigger catalog? 200 recipes against 20,000.

Bakes one project (SQLite, local memory, every caching level on) and runs its
`manage.py cachebench` at both sizes, alternating, round after round. Each run
times misses of the list right after an edit (the recipes version replaced), and
requests with the caches bypassed. Prints the median of the per-round medians at
each size, and the median of the rounds' ratios. The cache backend does not
change what a miss costs the database, so local memory needs no server.

    python benchmarks/list_scale.py [--rounds 5] [--requests 40]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
SIZES = [200, 20_000]
ANSWERS = {
    "cache_backend": "locmem",
    "cache_per_site": True,
    "cache_per_view": True,
    "cache_template_fragment": True,
    "cache_low_level": True,
}


def bake(output_dir):
    """Bake quietly (the hook's next steps would mix with the figures); return the project."""
    answers = [f"{name}={'yes' if value is True else value}" for name, value in ANSWERS.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", output_dir]
    result = subprocess.run(
        [*command, str(TEMPLATE), *answers], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"cookiecutter failed:\n{result.stderr}")
    return Path(output_dir) / "recipe_site"


def list_misses(project, recipes, requests):
    """Median milliseconds of a list miss, caching on and bypassed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "cachebench", "--json"]
        + ["--recipes", str(recipes), "--requests", str(requests)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"cachebench --recipes {recipes} failed:\n{result.stderr}")
    rows = {
        row["caching"]: row for row in json.loads(result.stdout)["results"] if row["page"] == "list"
    }
    return rows["on"]["miss_median_ms"], rows["bypassed"]["miss_median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="timed misses per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        project = bake(workdir)
        figures = {(size, caching): [] for size in SIZES for caching in ("on", "bypassed")}
        for round_number in range(1, args.rounds + 1):
            for size in SIZES:
                on, bypassed = list_misses(project, size, args.requests)
                figures[size, "on"].append(on)
                figures[size, "bypassed"].append(bypassed)
                print(
                    f"round {round_number}: {size:>6} recipes, miss {on:.1f} ms, "
                    f"bypassed {bypassed:.1f} ms",
                    file=sys.stderr,
                )
    for caching in ("on", "bypassed"):
        small, big = (figures[size, caching] for size in SIZES)
        # Each round's two runs ran back to back: their ratio cancels the machine's drift.
        ratio = statistics.median(b / s for s, b in zip(small, big, strict=True))
        print(
            f"list miss, caching {caching}: median {statistics.median(small):.1f} ms at "
            f"{SIZES[0]} recipes, {statistics.median(big):.1f} ms at {SIZES[1]}; "
            f"ratio {ratio:.2f}x (median of {len(small)} rounds)"
        )


if __name__ == "__main__":
    main()
