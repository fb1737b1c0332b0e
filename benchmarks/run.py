"""What each caching level buys, per backend, served for real.

For each backend, bakes the site once per configuration (caching off, then each
level alone), seeds 200 recipes x 5 ingredients, serves it with gunicorn (2 sync
workers) and drives /recipes/ over HTTP with wrk (or a small built-in load
generator when wrk is missing). A trivial view that returns "ok" through the same
middleware is the floor: the least Django can do per request. Every figure is
also given as a ratio of that floor, measured in the same run on the same
machine, because absolute numbers mean little on a shared machine.

    python benchmarks/run.py                       # every backend
    python benchmarks/run.py --backends redis --seconds 3

Writes benchmarks/results/results.md, results.json and results.png.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE))

from tests.support import (  # noqa: E402
    BACKENDS,
    LEVELS,
    SHORT,
    SLUG,
    Server,
    answers_for,
    free_port,
    wait_for_port,
)

CONFIGURATIONS = [("off", set())] + [(SHORT[level], {level}) for level in LEVELS]
BENCH_URLS = """from django.core.cache import cache
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


def trivial_read(request):
    cache.get("bench:nothing")
    return HttpResponse("ok")


urlpatterns = [
    path("trivial/", trivial),
    path("trivial-read/", trivial_read),
    path("", include("config.urls")),
]
"""
BENCH_SETTINGS = 'from config.settings import *  # noqa: F403\n\nROOT_URLCONF = "bench_urls"\n'


def run(command, cwd, env):
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def start_backend_server(backend, workdir):
    """A real cache server for the backend, or None for the built-in ones."""
    if backend == "redis":
        program = shutil.which("redis-server")
        command = [program, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--port"]
        return Server("redis-server", lambda port: [*command, str(port)], workdir).start()
    if backend == "memcached":
        program = shutil.which("memcached")
        user = ["-u", "root"] if os.geteuid() == 0 else []
        command = [program, "-l", "127.0.0.1", "-U", "0", "-m", "256", *user, "-p"]
        return Server("memcached", lambda port: [*command, str(port)], workdir).start()
    return None


def backend_env(backend, server, workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    if backend == "redis":
        env["REDIS_URL"] = f"redis://127.0.0.1:{server.port}/0"
    elif backend == "memcached":
        env["MEMCACHED_SERVERS"] = f"127.0.0.1:{server.port}"
    elif backend == "file":
        env["CACHE_DIR"] = str(workdir / "file-cache")
    return env


def bake(backend, levels, output_dir):
    answers = [
        f"{key}={'yes' if value is True else 'no' if value is False else value}"
        for key, value in answers_for(backend, levels).items()
    ]
    # A subprocess, so the next steps the bake prints stay out of the results.
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output_dir)]
    run([*command, str(TEMPLATE), *answers], TEMPLATE, os.environ)
    project = output_dir / SLUG
    (project / "bench_urls.py").write_text(BENCH_URLS)
    (project / "bench_settings.py").write_text(BENCH_SETTINGS)
    return project


def prepare(project, backend, env, recipes):
    python = sys.executable
    run([python, "manage.py", "migrate", "--no-input"], project, env)
    if backend == "db":
        run([python, "manage.py", "createcachetable"], project, env)
    run([python, "manage.py", "seed_recipes", "--count", str(recipes)], project, env)


def list_queries(project, env):
    """SQL queries per request on the list, cache hit and caching bypassed."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "cachebench",
            "--requests",
            "5",
            "--recipes",
            "200",
            "--json",
        ],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = {(r["page"], r["caching"]): r for r in json.loads(result.stdout)["results"]}
    return rows["list", "on"]["hit_queries"], rows["list", "bypassed"]["hit_queries"]


def serve(project, env):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, server, "gunicorn", timeout=30)
    return server, port


def load_with_wrk(url, seconds, connections):
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load_built_in(url, seconds, connections):
    """Keep-alive GETs from threads; a stand-in for wrk, slower, same for every case."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    path = url.split(port, 1)[1]
    deadline = time.monotonic() + seconds
    counts = []

    def worker():
        done, conn = 0, http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < deadline:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: status {response.status}")
            done += 1
        counts.append(done)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def requests_per_second(url, args):
    urlopen_ok(url)
    if shutil.which("wrk"):
        return load_with_wrk(url, args.seconds, args.connections)
    return load_built_in(url, args.seconds, args.connections)


def urlopen_ok(url):
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    for _ in range(3):  # fill every cache from both workers' point of view
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", url.split(port, 1)[1])
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: status {response.status}")


def setup_site(backend, name, levels, server, args, workdir):
    project = bake(backend, levels, workdir / f"{backend}-{name}")
    env = backend_env(backend, server, workdir / f"{backend}-{name}")
    prepare(project, backend, env, args.recipes)
    return project, env


def bench_backend(backend, args, workdir):
    """Each configuration against the floor: a trivial view on a site with caching off.

    The floor's server runs throughout, and each round loads it and then the
    page under test, so a change in the machine's load hits both alike.
    """
    server = start_backend_server(backend, workdir)
    row = {"backend": backend}
    floor_project, floor_env = setup_site(backend, "floor", set(), server, args, workdir)
    floor_app, floor_port = serve(floor_project, floor_env)
    try:
        for name, levels in CONFIGURATIONS:
            project, env = setup_site(backend, name, levels, server, args, workdir)
            hit_queries, uncached_queries = list_queries(project, env)
            app, port = serve(project, env)
            try:
                floors, pages, reads = [], [], []
                for _ in range(args.rounds):
                    floors.append(
                        requests_per_second(f"http://127.0.0.1:{floor_port}/trivial/", args)
                    )
                    pages.append(requests_per_second(f"http://127.0.0.1:{port}/recipes/", args))
                    if name == "off":  # What one cache read costs, once per backend.
                        reads.append(
                            requests_per_second(
                                f"http://127.0.0.1:{floor_port}/trivial-read/", args
                            )
                        )
                row[f"trivial_{name}"] = statistics.median(floors)
                row[name] = statistics.median(pages)
                # The ratio of each round, then their median: a change in the machine's
                # load between rounds moves both figures of a round alike.
                row[f"ratio_{name}"] = paired_ratio(pages, floors)
                row[f"queries_{name}"] = uncached_queries if name == "off" else hit_queries
                if reads:
                    row["trivial_read"] = statistics.median(reads)
                    row["ratio_trivial_read"] = paired_ratio(reads, floors)
                print(
                    f"  {backend:<9} {name:<9} {row[name]:>9.0f} req/s, trivial view "
                    f"{row[f'trivial_{name}']:>6.0f} req/s, ratio {row[f'ratio_{name}']:.2f}",
                    file=sys.stderr,
                )
            finally:
                app.terminate()
                app.wait(timeout=10)
    finally:
        floor_app.terminate()
        floor_app.wait(timeout=10)
        if server:
            server.stop()
    return row


def paired_ratio(figures, floors):
    return statistics.median(figure / floor for figure, floor in zip(figures, floors, strict=True))


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
        cpu = model.strip()
    except (OSError, AttributeError):
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def markdown(rows, args):
    names = [name for name, _ in CONFIGURATIONS]
    lines = [
        f"Machine: {machine()}. {args.recipes} recipes x 5 ingredients, gunicorn 2 workers, "
        f"{'wrk' if shutil.which('wrk') else 'built-in load'}, {args.connections} connections, "
        f"{args.seconds} s x {args.rounds} rounds per case. req/s (median), then the ratio to a "
        "trivial view (on a site with caching off) measured in the same rounds (the median of "
        "each round's ratio); SQL queries per request on the list in brackets (caching off: "
        "every request; levels: a hit). *Trivial + 1 read* is the trivial view reading one "
        "missing key from the cache: what a single cache round trip costs.",
        "",
        "| backend | trivial view | trivial + 1 read | "
        + " | ".join(f"list, {n}" for n in names)
        + " |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for row in rows:
        floor = statistics.median(row[f"trivial_{name}"] for name in names)
        cells = [f"{floor:.0f}", f"{row['trivial_read']:.0f} ({row['ratio_trivial_read']:.2f}x)"]
        for name in names:
            ratio = row[f"ratio_{name}"]
            cells.append(f"{row[name]:.0f} ({ratio:.2f}x) [{row[f'queries_{name}']}q]")
        lines.append(f"| {row['backend']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def chart(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["trivial_read"] + [name for name, _ in CONFIGURATIONS]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(rows)
    for index, row in enumerate(rows):
        ratios = [row[f"ratio_{name}"] for name in names]
        positions = [x + index * width for x in range(len(names))]
        ax.bar(positions, ratios, width, label=row["backend"])
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xticks([x + width * (len(rows) - 1) / 2 for x in range(len(names))])
    ax.set_xticklabels(["trivial + 1 read"] + [f"list, {n}" for n in names[1:]])
    ax.set_ylabel("requests/s as a fraction of a trivial view")
    ax.set_title("What each caching level buys on /recipes/ (higher is better; 1.0 = trivial view)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per case")
    parser.add_argument("--recipes", type=int, default=200)
    parser.add_argument("--out", type=Path, default=TEMPLATE / "benchmarks" / "results")
    args = parser.parse_args()
    for backend, program in [("redis", "redis-server"), ("memcached", "memcached")]:
        if backend in args.backends and not shutil.which(program):
            sys.exit(f"ERROR: --backends: {backend} needs {program}; run scripts/install-servers")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="cachebench-") as tmp:
        for backend in args.backends:
            rows.append(bench_backend(backend, args, Path(tmp)))
    (args.out / "results.json").write_text(
        json.dumps({"machine": machine(), "rows": rows}, indent=2)
    )
    (args.out / "results.md").write_text(markdown(rows, args))
    chart(rows, args.out / "results.png")
    print(markdown(rows, args))


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
