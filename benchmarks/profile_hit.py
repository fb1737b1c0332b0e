"""Where one page hit spends its time, middleware by middleware: ours against the article's.

Sets up what the article section of benchmarks/run.py serves (one Redis server,
our Redis bakes with per-view or per-site caching alone, the seed article's
site, the same recipes in each) and then, in a process of each site's own, calls
the site's WSGI application for its cached page, as gunicorn would but without
the HTTP parsing: first as it is (the time per hit), then with a probe before
every middleware and before the view (the time inside each layer: what a layer
does on the way in and on the way out, the layers it wraps left out), then
under cProfile (the functions that take the most time). It also counts the
commands Redis received per hit.

    python benchmarks/profile_hit.py                 # 3000 hits a site
    python benchmarks/profile_hit.py --requests 500 --functions 40

Medians of each layer over the requests, in microseconds: a shared machine's
stray pauses do not move them, and they add up to about the median total.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANDLER = "WSGI handler: request, signals, response, close()"
VIEW = "URL resolver, process_view, the view (cache_page, if any)"


def environ_for(path):
    """What gunicorn gives Django for a GET of path from wrk (which sends Host alone)."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(application, environ):
    """One request through application: (status, headers), the body read and closed."""
    said = []
    body = application(
        {**environ, "wsgi.input": io.BytesIO()},
        lambda status, headers, exc_info=None: said.append((status, dict(headers))),
    )
    try:
        for _chunk in body:
            pass
    finally:
        body.close()  # Django's request_finished: closes the caches and the database
    return said[0]


STAMPS = []  # (probe index, "in" or "out", perf_counter_ns()) of the current request


def probe(index):
    """A middleware that notes when a request passes it, in and out."""

    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            STAMPS.append((index, "in", time.perf_counter_ns()))
            response = self.get_response(request)
            STAMPS.append((index, "out", time.perf_counter_ns()))
            return response

    Probe.__name__ = f"Probe{index}"
    return Probe


def layer_times(stamps, total_ns, names):
    """Nanoseconds inside each layer for one request: [(name, ns)], outermost first."""
    seen = {(index, way): at for index, way, at in stamps}
    times = [(HANDLER, total_ns - (seen[0, "out"] - seen[0, "in"]))]
    for index, name in enumerate(names):
        if (index, "in") not in seen:  # a layer further out answered
            times.append((name, 0))
            continue
        inner = index + 1
        spent = seen[index, "out"] - seen[index, "in"]
        if (inner, "in") in seen:  # it passed the request on
            spent -= seen[inner, "out"] - seen[inner, "in"]
        times.append((name, spent))
    return times


def inside(path, count, functions, cached=True):
    """Run in the site's folder with its settings: the figures of a hit, as JSON on stdout."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    environ = environ_for(path)
    application = WSGIHandler()
    for _ in range(50):  # the first renders and stores the page; then hits, copies made
        status, headers = call(application, environ)
    if not status.startswith("200") or (cached and "Age" not in headers):
        sys.exit(f"ERROR: {path} is not served from the cache: {status}, headers {headers}")

    totals, cpu = [], []
    for _ in range(count):
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        call(application, environ)
        totals.append(time.perf_counter_ns() - started)
        cpu.append(time.thread_time_ns() - started_cpu)

    middleware = list(settings.MIDDLEWARE)
    module = sys.modules[__name__]
    chain = []
    for index in range(len(middleware) + 1):
        setattr(module, f"Probe{index}", probe(index))
        chain.append(f"{__name__}.Probe{index}")
        if index < len(middleware):
            chain.append(middleware[index])
    settings.MIDDLEWARE = chain
    probed = WSGIHandler()
    names = [name.rsplit(".", 1)[-1] for name in middleware] + [VIEW]
    per_layer = {name: [] for name in [HANDLER, *names]}
    for _ in range(count):
        STAMPS.clear()
        started = time.perf_counter_ns()
        call(probed, environ)
        for name, spent in layer_times(STAMPS, time.perf_counter_ns() - started, names):
            per_layer[name].append(spent)

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call(application, environ)
    profiler.disable()
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(functions)

    print(
        json.dumps(
            {
                "total_us": statistics.median(totals) / 1000,
                "cpu_us": statistics.median(cpu) / 1000,
                "layers": [
                    [name, statistics.median(times) / 1000 if times else 0.0]
                    for name, times in per_layer.items()
                ],
                "profile": report.getvalue(),
            }
        )
    )


def redis_commands(port):
    from redis import Redis

    with Redis(port=port) as client:
        return client.info("stats")["total_commands_processed"]


def drive(args):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import (
        OURS,
        PAGES,
        PYTHON,
        StepFailed,
        setup_article,
        setup_site,
        start_cache_server,
    )

    results = {}
    with tempfile.TemporaryDirectory(prefix="profile-hit-") as tmp:
        workdir = Path(tmp)
        server = start_cache_server("redis", workdir)
        try:
            sites = {}
            for name, levels in OURS:
                sites[name] = setup_site("redis", name, levels, server, args.recipes, workdir)
            project = sites[OURS[-1][0]][0]
            sites = {"article": setup_article(server, project, workdir), **sites}
            # The floor: a view that returns "ok" through our middleware (run.py's bench_urls).
            sites["trivial"] = sites["per_view"]
            for name, (folder, env) in sites.items():
                command = [PYTHON, __file__, "--inside", PAGES.get(name, "/trivial/")]
                if name == "trivial":
                    command.append("--not-cached")
                command += ["--requests", str(args.requests), "--functions", str(args.functions)]
                before = redis_commands(server.port)
                done = subprocess.run(
                    command, cwd=folder, env=env, capture_output=True, text=True, check=False
                )
                if done.returncode != 0:
                    raise StepFailed(f"{name}: {done.stderr[-6000:]}")
                calls = redis_commands(server.port) - before
                results[name] = json.loads(done.stdout)
                # 50 warm-up calls, then three runs of --requests; minus this count's own.
                results[name]["redis_per_hit"] = (calls - 1) / (50 + 3 * args.requests)
        except StepFailed as error:
            sys.exit(f"ERROR: {error}")
        finally:
            server.stop()
    return results


def table(results):
    names = list(results)
    lines = [
        "| layer | " + " | ".join(f"{name} (us)" for name in names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
    ]
    layers = []
    for name in names:
        for layer, _ in results[name]["layers"]:
            if layer not in layers:
                layers.append(layer)
    for layer in layers:
        cells = []
        for name in names:
            figures = dict(results[name]["layers"])
            cells.append(f"{figures[layer]:.1f}" if layer in figures else "")
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    lines.append(
        "| **hit, median total** | "
        + " | ".join(f"**{results[n]['total_us']:.1f}**" for n in names)
        + " |"
    )
    lines.append(
        "| CPU time of a hit, median | "
        + " | ".join(f"{results[n]['cpu_us']:.1f}" for n in names)
        + " |"
    )
    lines.append(
        "| Redis commands per hit | "
        + " | ".join(f"{results[n]['redis_per_hit']:.2f}" for n in names)
        + " |"
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="hits timed, per site")
    parser.add_argument("--functions", type=int, default=25, help="functions listed per site")
    # As run.py's side by side: one page of ours, so every page lists the same recipes.
    parser.add_argument("--recipes", type=int, default=50)
    parser.add_argument("--inside", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--not-cached", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 1 or args.recipes < 1:
        sys.exit("ERROR: --requests and --recipes must be 1 or more")
    if args.inside:
        inside(args.inside, args.requests, args.functions, cached=not args.not_cached)
        return
    results = drive(args)
    print(table(results))
    for name, figures in results.items():
        print(f"\n## {name}: functions by own time over {args.requests} hits\n")
        print(figures["profile"])


if __name__ == "__main__":
    main()
