"""What each caching level buys, per backend, served for real; and how the site fares
under real traffic.

For each backend, bakes the site once per configuration (caching off, then each
level alone), seeds 200 recipes x 5 ingredients, serves it with gunicorn (2 sync
workers) and drives /recipes/ over HTTP with wrk (or a small built-in load
generator when wrk is missing). A trivial view that returns "ok" through the same
middleware is the floor: the least Django can do per request. Every figure is
also given as a ratio of that floor, measured in the same run on the same
machine, because absolute numbers mean little on a shared machine.

Then real traffic, per backend: the site with every level on, served by gunicorn
2 workers x 8 threads (gthread), visited by anonymous browsers that each carry
cookies of their own (an analytics `_ga`, a `theme`, some a `csrftoken`) while
another process edits a recipe once a second. It reports the hit ratio
(responses with an Age header / all), renders per edit (responses without Age /
(edits x URLs visited): 1.0 means each page rendered once after each edit) and
the p50/p99 latency. Only 127.0.0.1 is visited, for a bounded time and count.

Then, side by side with the seed article's cache_page: the article's recipe site
(benchmarks/article/: startproject's settings and middleware, its list view under
`@cache_page(60 * 15)`, django-redis as the cache), holding the same recipes as
our bakes, served the same way as our Redis per-view and per-site bakes (gunicorn,
the bake's gunicorn.conf.py, 2 sync workers) on the same Redis server, with a
trivial view through our middleware as the floor. Each round loads the pages in
turn, a second each, a few times over; it reports req/s and the CPU time the
site's gunicorn processes used per hit, each as a ratio to the article's in the
same round.

    python benchmarks/run.py                       # every backend
    python benchmarks/run.py --backends redis --seconds 3 --traffic-seconds 20
    python benchmarks/run.py --quick --backends locmem   # a smoke run; figures mean little
    python benchmarks/run.py --sections article          # the article side by side alone
    python benchmarks/run.py --sections hostile          # a flood, a storm, compression

Then hostile traffic, on a Redis bake with per-site and per-view caching: the
entries and bytes a flood of junk requests adds (random query strings, Host
ports, made-up session cookies, header values), the latency of missing pages
under a storm while hits go on, and what django-redis's zlib COMPRESSOR does to a
stored page and to a read of it. Beside each, what issue 19 measured before.

Writes benchmarks/results/results.md, results.json and results.png.
"""

import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE))

from tests.support import (  # noqa: E402
    BACKENDS,
    LEVELS,
    PYTHON,
    SHORT,
    StepFailed,
    answers_for,
    backend_env,
    bake,
    gunicorn,
    junk_request,
    memcached_server,
    prepare,
    redis_server,
    run,
    varnish_server,
    with_varnish,
)

CONFIGURATIONS = [("off", set())] + [(SHORT[level], {level}) for level in LEVELS]
SECTIONS = ["levels", "article", "hostile"]
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
# gunicorn options beyond the workers, through its documented GUNICORN_CMD_ARGS.
SYNC_WORKERS = "--worker-class sync --threads 1 --log-level warning"
THREADED_WORKERS = "--worker-class gthread --threads 8 --log-level warning"


def start_cache_server(backend, workdir):
    """A real cache server for the backend, or None for the built-in ones."""
    if backend == "redis":
        return redis_server(workdir).start()
    if backend == "memcached":
        return memcached_server(workdir, "-m", "256").start()
    return None


def setup_site(backend, name, levels, server, recipes, workdir, front_cache=False):
    """Bake, add the trivial views, migrate and seed `recipes`: (project, environment)."""
    workdir = workdir / f"{backend}-{name}"
    answers = answers_for(backend, levels)
    project = bake(with_varnish(answers) if front_cache else answers, workdir)
    (project / "bench_urls.py").write_text(BENCH_URLS)
    (project / "bench_settings.py").write_text(BENCH_SETTINGS)
    port = server.port if server else None
    env = backend_env(backend, port, workdir, DJANGO_SETTINGS_MODULE="bench_settings")
    prepare(project, env, recipes=recipes, cache_table=backend == "db")
    return project, env


def list_queries(project, env):
    """SQL queries per request on the list, cache hit and caching bypassed."""
    command = [PYTHON, "manage.py", "cachebench", "--requests", "5", "--recipes", "200", "--json"]
    result = run(command, project, env)
    rows = {(r["page"], r["caching"]): r for r in json.loads(result.stdout)["results"]}
    return rows["list", "on"]["hit_queries"], rows["list", "bypassed"]["hit_queries"]


def load_with_wrk(url, seconds, connections):
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    output = run(command, None, None).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise StepFailed(f"{url}: {errors.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def fetch(connection, path, headers=None):
    """One GET on a keep-alive connection: the response, read, or StepFailed if not 200."""
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise StepFailed(f"GET {path} answered {response.status}")
    return response


def connect(url, timeout=10):
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


def load_built_in(url, seconds, connections):
    """Keep-alive GETs from threads; a stand-in for wrk, slower, same for every case."""
    base, path = re.match(r"(http://[^/]+)(/.*)", url).groups()
    deadline = time.monotonic() + seconds
    counts = []

    def worker(_number):
        done, connection = 0, connect(base)
        while time.monotonic() < deadline:
            fetch(connection, path)
            done += 1
        counts.append(done)

    start = time.monotonic()
    run_threads(worker, connections)
    return sum(counts) / (time.monotonic() - start)


def run_threads(worker, count):
    """Run worker in count threads; raise the first error one of them met."""
    errors = []

    def guarded(*args):
        try:
            worker(*args)
        except Exception as error:  # handed on to the caller, below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def requests_per_second(url, args, seconds=None):
    """req/s over args.seconds (or seconds) of load on url."""
    base, path = re.match(r"(http://[^/]+)(/.*)", url).groups()
    for _ in range(3):  # fill every cache from both workers' point of view
        fetch(connect(base, timeout=30), path)
    load = load_with_wrk if shutil.which("wrk") else load_built_in
    return load(url, seconds or args.seconds, args.connections)


def bench_backend(backend, args, workdir):
    """Each configuration against the floor: a trivial view on a site with caching off.

    The floor's server runs throughout, and each round loads it and then the
    page under test, so a change in the machine's load hits both alike.
    """
    row = {"backend": backend}
    with ExitStack() as stack:
        server = start_cache_server(backend, workdir)
        if server:
            stack.callback(server.stop)
        floor_project, floor_env = setup_site(
            backend, "floor", set(), server, args.recipes, workdir
        )
        floor_env["GUNICORN_CMD_ARGS"] = SYNC_WORKERS
        floor = stack.enter_context(gunicorn(floor_project, floor_env, workers=2))
        for name, levels in CONFIGURATIONS:
            project, env = setup_site(backend, name, levels, server, args.recipes, workdir)
            hit_queries, uncached_queries = list_queries(project, env)
            env["GUNICORN_CMD_ARGS"] = SYNC_WORKERS
            with gunicorn(project, env, workers=2) as site:
                floors, pages, reads = [], [], []
                for _ in range(args.rounds):
                    floors.append(requests_per_second(f"{floor}/trivial/", args))
                    pages.append(requests_per_second(f"{site}/recipes/", args))
                    if name == "off":  # What one cache read costs, once per backend.
                        reads.append(requests_per_second(f"{floor}/trivial-read/", args))
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
    row.update(traffic_backend(backend, args, workdir))
    return row


# Real traffic: the list and the first recipes, visited by browsers with cookies.
TRAFFIC_RECIPES = 19
# Recipes on a page of our list (RECIPES_PER_PAGE in the baked recipes/models.py).
ONE_PAGE = 50
VISITORS = 200
# A bound on the count as well as the time: the load stops by itself either way.
MAX_TRAFFIC_REQUESTS = 500_000
# Run by `manage.py shell -c` beside the server: an edit a second, as an admin would
# save a recipe, for as long as the traffic lasts; it says "ready" once Django is up.
EDITOR = """
import time
from recipes.models import Recipe

print("ready", flush=True)
deadline = time.monotonic() + {seconds}
edits = 0
while time.monotonic() + 1 < deadline:
    time.sleep(1)
    recipe = Recipe.objects.get(pk=1)
    edits += 1
    recipe.description = f"Edited {{edits}} times under traffic."
    recipe.save()
    print("edit", flush=True)
"""


def visitor_cookies(count, rng):
    """Cookie headers of anonymous browsers: each its own _ga and theme, one in five a csrftoken."""
    alphabet = string.ascii_letters + string.digits
    headers = []
    for number in range(count):
        client = f"{rng.randrange(10**9, 10**10)}.{rng.randrange(10**9, 10**10)}"
        cookies = [f"_ga=GA1.1.{client}", f"theme={rng.choice(['dark', 'light'])}"]
        if number % 5 == 0:
            cookies.append("csrftoken=" + "".join(rng.choices(alphabet, k=32)))
        headers.append("; ".join(cookies))
    return headers


def traffic_backend(backend, args, workdir):
    """Every level on, gunicorn 2 x 8 threads, visitors with cookies, an edit a second."""
    paths = ["/recipes/", *(f"/recipes/{pk}/" for pk in range(1, TRAFFIC_RECIPES + 1))]
    with ExitStack() as stack:
        # A cache server of its own: nothing left from the runs above.
        server = start_cache_server(backend, workdir / "traffic-server")
        if server:
            stack.callback(server.stop)
        project, env = setup_site(backend, "traffic", set(LEVELS), server, args.recipes, workdir)
        served = {**env, "GUNICORN_CMD_ARGS": THREADED_WORKERS}
        site = stack.enter_context(gunicorn(project, served, workers=2))
        for path in paths:  # a cookieless warm-up
            fetch(connect(site, timeout=30), path)
        editor = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", EDITOR.format(seconds=args.traffic_seconds)],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(editor.kill)
        # Django's shell may say something first (which models it imported).
        if not any(line.strip() == "ready" for line in iter(editor.stdout.readline, "")):
            raise StepFailed(f"the editing process exited {editor.wait()} (its errors are above)")
        responses = visit(site, paths, args.traffic_seconds, args.traffic_connections)
        said, _ = editor.communicate(timeout=30)
        if editor.returncode != 0:
            raise StepFailed(f"the editing process exited {editor.returncode}")
    if len(responses) < 2:
        raise StepFailed(f"{backend}: only {len(responses)} responses in {args.traffic_seconds} s")
    edits = said.split().count("edit")
    hits = sum(1 for has_age, _ in responses if has_age)
    latencies = statistics.quantiles([seconds for _, seconds in responses], n=100)
    figures = {
        "traffic_requests": len(responses),
        "traffic_edits": edits,
        "traffic_urls": len(paths),
        "hit_ratio": hits / len(responses),
        "renders_per_edit": (len(responses) - hits) / (max(edits, 1) * len(paths)),
        "p50_ms": latencies[49] * 1000,
        "p99_ms": latencies[98] * 1000,
    }
    print(
        f"  {backend:<9} traffic   {len(responses)} requests, {edits} edits, hit ratio "
        f"{figures['hit_ratio']:.2f}, {figures['renders_per_edit']:.1f} renders per edit, "
        f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms",
        file=sys.stderr,
    )
    return figures


def visit(site, paths, seconds, connections):
    """GETs from visitors with cookies for seconds: [(has an Age header, seconds taken)]."""
    deadline = time.monotonic() + seconds
    cookies = visitor_cookies(VISITORS, random.Random(0))
    per_thread = [[] for _ in range(connections)]
    budget = MAX_TRAFFIC_REQUESTS // connections

    def worker(number):
        rng, responses = random.Random(number), per_thread[number]
        connection = connect(site)
        while time.monotonic() < deadline and len(responses) < budget:
            headers = {"Cookie": rng.choice(cookies)}
            started = time.perf_counter()
            try:
                response = fetch(connection, rng.choice(paths), headers)
            except (http.client.HTTPException, ConnectionError):
                connection.close()  # the server closed a kept-alive connection: open another
                connection = connect(site)
                continue
            responses.append((response.getheader("Age") is not None, time.perf_counter() - started))

    run_threads(worker, connections)
    return [response for responses in per_thread for response in responses]


# Side by side with the seed article: its site, and our Redis bakes with one page cache each.
ARTICLE = Path(__file__).resolve().parent / "article"
ARTICLE_APP = "article_site.wsgi:application"
OURS = [("per_view", {"cache_per_view"}), ("per_site", {"cache_per_site"})]
PAGES = {
    "article": "/recipe",
    "per_view": "/recipes/",
    "per_site": "/recipes/",
    "varnish": "/recipes/",
}
# How each page marks a recipe: the article's template, then ours.
RECIPE_MARKS = {
    "article": "<h1>",
    **dict.fromkeys(["per_view", "per_site", "varnish"], 'class="recipe"'),
}
ARTICLE_LABELS = {
    "article": "the article's",
    "per_view": "our per-view",
    "per_site": "our per-site",
    "varnish": "Varnish in front of our per-site",
}


def copy_recipes(source, target):
    """Copy the recipes and ingredients of one of our sites' databases into the article's."""
    ours, article = sqlite3.connect(source), sqlite3.connect(target)
    try:
        recipes = ours.execute("SELECT id, name, description FROM recipes_recipe").fetchall()
        ingredients = ours.execute(
            "SELECT id, recipe_id, description FROM recipes_ingredient"
        ).fetchall()
        with article:
            article.executemany(
                'INSERT INTO app_recipe (id, name, "desc") VALUES (?, ?, ?)', recipes
            )
            article.executemany(
                "INSERT INTO app_ingredient (id, recipe_id, description) VALUES (?, ?, ?)",
                ingredients,
            )
    finally:
        ours.close()
        article.close()


def setup_article(server, ours, workdir):
    """The article's site, holding the recipes of ours (a seeded bake): (project, environment).

    Served as our bakes are, with their gunicorn.conf.py; its cache is db 1 of
    the same Redis server.
    """
    project = workdir / "article-site"
    shutil.copytree(ARTICLE, project, ignore=shutil.ignore_patterns("__pycache__", "ruff.toml"))
    shutil.copy(ours / "gunicorn.conf.py", project)
    env = backend_env(
        "redis",
        REDIS_URL=f"redis://127.0.0.1:{server.port}/1",
        DJANGO_SETTINGS_MODULE="article_site.settings",
        GUNICORN_CMD_ARGS=SYNC_WORKERS,
    )
    run([PYTHON, "manage.py", "makemigrations", "app"], project, env)
    run([PYTHON, "manage.py", "migrate", "--no-input"], project, env)
    copy_recipes(ours / "db.sqlite3", project / "db.sqlite3")
    return project, env


def cached_page(name, url):
    """(bytes, recipes shown) of a page, once a request for it comes from the cache."""
    base, path = re.match(r"(http://[^/]+)(/.*)", url).groups()
    for _ in range(3):  # the first request renders and stores it
        connection = connect(base, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise StepFailed(f"{name}: GET {path} answered {response.status}")
        if response.getheader("Age") is not None:  # what Django's cache adds to a hit
            return len(body), body.decode().count(RECIPE_MARKS[name])
    raise StepFailed(f"{name}: {url} does not come from the cache (no Age header, 3 requests)")


def cpu_seconds(pid_file):
    """CPU time used so far by a gunicorn master (its pid in pid_file) and its workers."""
    if not Path("/proc/self/stat").exists():  # not Linux: no CPU figures ("nan")
        return math.nan
    master = Path(pid_file).read_text().strip()
    used, ticks = 0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...; utime and stime are fields 14 and 15.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == master or fields[1] == master:
            used += int(fields[11]) + int(fields[12])
    return used / ticks


def article_side_by_side(args, workdir):
    """Page hits: the article's cache_page against our Redis per-view and per-site bakes.

    All three are served at once. A round loads the three pages in turn for a
    second each, args.seconds times over, starting with another page each time,
    so a change in the machine's load during a round moves its three figures alike.
    Besides req/s, the CPU time each site's gunicorn processes used per hit: other
    programs on a shared machine slow a site down, but do not add to that.
    """
    workdir = workdir / "article"
    with ExitStack() as stack:
        server = start_cache_server("redis", workdir)
        stack.callback(server.stop)
        urls, pid_files = {}, {}
        for name, levels in OURS:
            project, env = setup_site("redis", name, levels, server, args.article_recipes, workdir)
            pid_files[name] = workdir / f"{name}.pid"
            env["GUNICORN_CMD_ARGS"] = f"{SYNC_WORKERS} --pid {pid_files[name]}"
            urls[name] = stack.enter_context(gunicorn(project, env, workers=2)) + PAGES[name]
        # Varnish (varnish/default.vcl) in front of a per-site bake with front_cache=varnish.
        project, env = setup_site(
            "redis", "varnish", {"cache_per_site"}, server, args.article_recipes, workdir, True
        )
        env["GUNICORN_CMD_ARGS"] = SYNC_WORKERS
        backend = stack.enter_context(gunicorn(project, env, workers=2))
        pid_files["varnish"] = workdir / "varnish.pid"
        vcl = (project / "varnish" / "default.vcl").read_text()
        port = int(backend.rsplit(":", 1)[1])
        front = varnish_server(workdir / "varnish", vcl, port, "-P", str(pid_files["varnish"]))
        stack.callback(front.stop)
        urls["varnish"] = f"http://127.0.0.1:{front.start().port}" + PAGES["varnish"]
        article, env = setup_article(server, project, workdir)
        pid_files["article"] = workdir / "article.pid"
        env["GUNICORN_CMD_ARGS"] += f" --pid {pid_files['article']}"
        site = stack.enter_context(gunicorn(article, env, workers=2, app=ARTICLE_APP))
        urls = {"article": site + PAGES["article"], **urls}
        pages = {name: cached_page(name, url) for name, url in urls.items()}
        # The floor: a view that returns "ok" through our middleware, on the per-view site.
        urls["trivial"] = urls["per_view"].replace(PAGES["per_view"], "/trivial/")
        pid_files["trivial"] = pid_files["per_view"]
        names, rounds = list(urls), []
        for number in range(args.rounds):
            rates, cpu = {name: [] for name in names}, {name: 0.0 for name in names}
            for turn in range(args.seconds):
                first = (number + turn) % len(names)
                for name in names[first:] + names[:first]:
                    before = cpu_seconds(pid_files[name])
                    rates[name].append(requests_per_second(urls[name], args, seconds=1))
                    cpu[name] += cpu_seconds(pid_files[name]) - before
            rounds.append(
                {name: statistics.mean(rates[name]) for name in names}
                | {f"cpu_us_{name}": cpu[name] * 1e6 / sum(rates[name]) for name in names}
            )
            figures = rounds[-1]
            print(
                f"  article   round {number + 1}: cache_page {figures['article']:.0f} req/s "
                f"{figures['cpu_us_article']:.0f} us CPU a hit; ours "
                + ", ".join(
                    f"{name} {figures[name]:.0f} ({figures[name] / figures['article']:.2f}x) "
                    f"{figures[f'cpu_us_{name}']:.0f} us"
                    for name, _ in OURS
                ),
                file=sys.stderr,
            )
    return {
        "recipes": args.article_recipes,
        "pages": {name: {"bytes": size, "recipes": shown} for name, (size, shown) in pages.items()},
        "rounds": rounds,
    }


def article_markdown(article, args):
    pages = article["pages"]
    lines = [
        "### Side by side with the article's cache_page",
        "",
        "The seed article's recipe site (`benchmarks/article/`: `startproject` settings and "
        "middleware, its list view under `@cache_page(60 * 15)`, django-redis) and our Redis "
        "bakes with per-view or per-site caching alone, all holding the same "
        f"{article['recipes']} recipes x 5 ingredients, served at once by gunicorn with the "
        "bake's gunicorn.conf.py, 2 sync workers, one Redis server; "
        f"{'wrk' if shutil.which('wrk') else 'built-in load'}, {args.connections} connections, "
        f"each round {args.seconds} turns of 1 s per page, each turn starting with another page. "
        "req/s of a page hit (in brackets, ours / the article's in the same round), then the "
        "CPU time the site's gunicorn processes used per hit (in brackets, the article's / "
        "ours: other programs on a shared machine slow a site down but do not add to it). "
        "The pages: "
        + "; ".join(
            f"{label} {pages[name]['recipes']} recipes, {pages[name]['bytes']:,} bytes"
            for name, label in ARTICLE_LABELS.items()
        )
        + ".",
        "",
        "",
        "*Trivial view*: a view that returns `ok` through our middleware, on the per-view site: "
        "what any page costs here before Django does anything for it (HTTP, gunicorn's sync "
        "worker, a new connection per request); in brackets, its req/s / the article's.",
        "",
        "*Varnish in front*: `varnish/default.vcl` on Varnish "
        "(`-s malloc,32m`) in front of a per-site bake with `front_cache=varnish`; the CPU "
        "time is varnishd's; then its req/s / our per-site's, gunicorn direct.",
        "",
        "| round | article's cache_page | our per-view | our per-site | Varnish in front | "
        "trivial view |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, figures in enumerate(article["rounds"], start=1):
        cells = [f"{figures['article']:.0f} · {figures['cpu_us_article']:.0f} us"]
        for name, _ in OURS:
            speed = figures[name] / figures["article"]
            cpu = figures[f"cpu_us_{name}"]
            cells.append(
                f"{figures[name]:.0f} ({speed:.2f}x) · {cpu:.0f} us "
                f"({figures['cpu_us_article'] / cpu:.2f}x)"
            )
        speed, front = figures["varnish"] / figures["article"], varnish_speed(figures)
        cells.append(
            f"{figures['varnish']:.0f} ({speed:.2f}x) · {figures['cpu_us_varnish']:.0f} us "
            f"· {front:.1f}x per-site"
        )
        speed = figures["trivial"] / figures["article"]
        cells.append(
            f"{figures['trivial']:.0f} ({speed:.2f}x) · {figures['cpu_us_trivial']:.0f} us"
        )
        lines.append(f"| {number} | " + " | ".join(cells) + " |")
    if len(article["rounds"]) > 1:
        cells = []
        for name, _ in OURS:
            speed = statistics.median(r[name] / r["article"] for r in article["rounds"])
            cpu = statistics.median(
                r["cpu_us_article"] / r[f"cpu_us_{name}"] for r in article["rounds"]
            )
            cells.append(f"{speed:.2f}x · {cpu:.2f}x")
        speed = statistics.median(r["varnish"] / r["article"] for r in article["rounds"])
        front = statistics.median(map(varnish_speed, article["rounds"]))
        cells.append(f"{speed:.2f}x · {front:.1f}x per-site")
        speed = statistics.median(r["trivial"] / r["article"] for r in article["rounds"])
        cells.append(f"{speed:.2f}x")
        lines.append("| median ratios | | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# Hostile traffic, on a Redis bake with both page caches, as issue 19 measured it.
HOSTILE_LEVELS = {"cache_per_site", "cache_per_view"}
HOSTILE_PAGES = ["/recipes/", "/recipes/1/", "/recipes/2/"]
# What issue 19 measured before: 700 flood requests after a warm-up added 2,350
# entries and 26 MB; 4 visitors asking for missing pages waited a median 2.0 s, and
# /recipes/ hits up to 2.1 s meanwhile.
BEFORE = {"entries": 2350 * 1000 / 700, "bytes": 26e6 * 1000 / 700, "missing": 2.0, "hits": 2.1}
STORM_VISITORS = 4
# Run by `manage.py shell -c` in the bake: one stored page, kept in Redis without
# and with django-redis's zlib compressor; its size there, and what a read from
# Redis (a process's first hit on it: later hits are served from the local copy,
# which holds the pickle) and a write cost, in microseconds.
COMPRESSION = """
import json, pickle, time, zlib
from django.conf import settings
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

redis = get_redis_connection("default")
key = next(redis.scan_iter(match="*cache_page*", count=1000))
stored = redis.get(key)
entry = pickle.loads(zlib.decompress(stored) if stored[:1] == b"x" else stored)
figures = {{}}
started = time.perf_counter()
for _ in range({reads}):
    pickle.loads(entry.pickled)
figures["local_hit_us"] = (time.perf_counter() - started) * 1e6 / {reads}
for name, compressor in [
    ("none", "django_redis.compressors.identity.IdentityCompressor"),
    ("zlib", "django_redis.compressors.zlib.ZlibCompressor"),
]:
    config = settings.CACHES["shared_pages"]
    options = {{**config["OPTIONS"], "COMPRESSOR": compressor}}
    cache = RedisCache(config["LOCATION"], {{**config, "KEY_PREFIX": "bench-" + name,
        "KEY_FUNCTION": None, "OPTIONS": options}})
    started = time.perf_counter()
    for _ in range({reads}):
        cache.set("page", entry)
    write = (time.perf_counter() - started) * 1e6 / {reads}
    started = time.perf_counter()
    for _ in range({reads}):
        cache.get("page")
    read = (time.perf_counter() - started) * 1e6 / {reads}
    figures[name] = {{"bytes": redis.strlen(cache.make_key("page")), "read_us": read,
        "write_us": write, "html_bytes": len(pickle.loads(entry.pickled).content)}}
print(json.dumps(figures))
"""


def timed_get(base, path, headers=None):
    """(status, seconds) of one GET on a connection of its own, whatever the status."""
    connection = connect(base, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def redis_figures(port):
    """(keys, bytes of memory used) of the Redis server on port."""
    from redis import Redis

    with Redis(port=port) as redis:
        return redis.dbsize(), redis.info("memory")["used_memory"]


def hostile(args, workdir):
    """A flood's entries and bytes, a storm of missing pages, compression of a stored page."""
    workdir = workdir / "hostile"
    with ExitStack() as stack:
        server = start_cache_server("redis", workdir)
        stack.callback(server.stop)
        project, env = setup_site("redis", "hostile", HOSTILE_LEVELS, server, args.recipes, workdir)
        deleted = f"/recipes/{args.recipes}/"
        code = (
            f"from recipes.models import Recipe; Recipe.objects.filter(pk={args.recipes}).delete()"
        )
        run([PYTHON, "manage.py", "shell", "-c", code], project, env)
        site = stack.enter_context(
            gunicorn(project, {**env, "GUNICORN_CMD_ARGS": SYNC_WORKERS}, workers=2)
        )
        for path in HOSTILE_PAGES:  # the site's pages, asked for directly and through a proxy
            for headers in ({}, {"Host": "127.0.0.1"}, {}):
                timed_get(site, path, headers)
        keys, memory = redis_figures(server.port)
        rng, statuses = random.Random(19), set()
        for number in range(args.flood_requests):
            path, headers = junk_request(number, rng, HOSTILE_PAGES)
            statuses.add(timed_get(site, path, headers)[0])
        if statuses != {200}:
            raise StepFailed(f"the flood was answered {sorted(statuses)}, not 200 alone")
        after_keys, after_memory = redis_figures(server.port)
        per_1000 = 1000 / args.flood_requests
        figures = {
            "flood_requests": args.flood_requests,
            "entries": (after_keys - keys) * per_1000,
            "bytes": (after_memory - memory) * per_1000,
        }
        figures.update(storm(site, deleted, args.storm_requests))
        reads = 200 if args.quick else 2000
        result = run(
            [PYTHON, "manage.py", "shell", "-c", COMPRESSION.format(reads=reads)], project, env
        )
        figures["compression"] = json.loads(result.stdout.strip().splitlines()[-1])
    compressed = figures["compression"]
    print(
        f"  hostile   per 1,000 flood requests {figures['entries']:.0f} entries, "
        f"{figures['bytes'] / 1e3:.0f} kB; missing pages median {figures['missing_median']:.3f} s "
        f"max {figures['missing_max']:.3f} s, hits max {figures['hits_max']:.3f} s; a page "
        f"{compressed['none']['bytes']:,} bytes, zlib {compressed['zlib']['bytes']:,}",
        file=sys.stderr,
    )
    return figures


def storm(site, deleted, requests):
    """Visitors asking at once for a deleted recipe and a page past the end, while hits go on."""
    missing, hits, done = [], [], threading.Event()

    def visitor(number):
        path = deleted if number % 2 else "/recipes/?page=99999"
        for _ in range(requests):
            status, seconds = timed_get(site, path)
            if status != 404:
                raise StepFailed(f"GET {path} answered {status}, not 404")
            missing.append(seconds)

    def reader(_number):
        while not done.is_set():
            hits.append(timed_get(site, "/recipes/")[1])

    readers = threading.Thread(target=run_threads, args=(reader, 2))
    readers.start()
    try:
        run_threads(visitor, STORM_VISITORS)
    finally:
        done.set()
        readers.join()
    return {
        "storm_requests": len(missing),
        "missing_median": statistics.median(missing),
        "missing_max": max(missing),
        "hits_median": statistics.median(hits),
        "hits_max": max(hits),
    }


def hostile_markdown(figures):
    compression = figures["compression"]
    missing = f"{figures['missing_median'] * 1e3:.0f} / {figures['missing_max'] * 1e3:.0f} ms"
    hits = f"{figures['hits_median'] * 1e3:.0f} / {figures['hits_max'] * 1e3:.0f} ms"
    lines = [
        "### Hostile traffic",
        "",
        "A Redis bake with per-site and per-view caching, gunicorn 2 sync workers. *Flood*: "
        f"{figures['flood_requests']} requests for the list and two recipes after a "
        "warm-up, in turn with random query strings (tracking and made-up parameters), "
        "random `Host: 127.0.0.1:<port>`, made-up `sessionid` cookies and random header "
        "values; Redis keys (`DBSIZE`) and `used_memory` added, per 1,000 requests. "
        f"*Storm*: {STORM_VISITORS} visitors asking for a deleted recipe and `?page=99999` "
        f"({figures['storm_requests']} requests) while 2 others read `/recipes/`. "
        "*Before*: what issue 19 measured.",
        "",
        "| | before | now |",
        "| --- | ---: | ---: |",
        f"| flood: entries per 1,000 requests | {BEFORE['entries']:,.0f} "
        f"| {figures['entries']:,.0f} |",
        f"| flood: bytes per 1,000 requests | {BEFORE['bytes'] / 1e6:.0f} MB "
        f"| {figures['bytes'] / 1e3:,.0f} kB |",
        f"| storm: missing pages, median / max | {BEFORE['missing']:.1f} s / - | {missing} |",
        f"| storm: `/recipes/` hits meanwhile, median / max | - / {BEFORE['hits']:.1f} s "
        f"| {hits} |",
        "",
        f"*Compression* of a stored page ({compression['none']['html_bytes']:,} bytes of "
        "HTML), in Redis without and with django-redis's `ZlibCompressor`: its size, and "
        "the time a read from Redis (each process's first hit on the page) and a write "
        "take. Later hits come from the process's local copy, which holds the pickle: "
        f"{compression['local_hit_us']:.0f} us either way.",
        "",
        "| compressor | bytes in Redis | read | write |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in ("none", "zlib"):
        cost = compression[name]
        times = f"{cost['read_us']:.0f} us | {cost['write_us']:.0f} us"
        lines.append(f"| {name} | {cost['bytes']:,} | {times} |")
    return "\n".join(lines) + "\n"


def varnish_speed(figures):
    """/recipes/ through Varnish, over the same page from gunicorn direct (per-site)."""
    return figures["varnish"] / figures["per_site"]


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
        f"*Real traffic*: every level on, gunicorn 2 workers x 8 threads (gthread), "
        f"{args.traffic_seconds} s of GETs from {args.traffic_connections} connections over "
        f"{TRAFFIC_RECIPES + 1} URLs (the list and {TRAFFIC_RECIPES} recipes) by {VISITORS} "
        "anonymous visitors, each with cookies of its own (`_ga`, `theme`; one in five a "
        "`csrftoken`), after one cookieless visit to each URL, while another process saves a "
        "recipe once a second. *Hit ratio*: responses with an `Age` header / all. *Renders per "
        "edit*: responses without `Age` / (edits x URLs); 1.0 is one render of each page after "
        "each edit. Latency over every response.",
        "",
        "| backend | trivial view | trivial + 1 read | "
        + " | ".join(f"list, {n}" for n in names)
        + " | real traffic: hit ratio | renders per edit | p50 / p99 ms |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " | ---: | ---: | ---: |",
    ]
    for row in rows:
        floor = statistics.median(row[f"trivial_{name}"] for name in names)
        cells = [f"{floor:.0f}", f"{row['trivial_read']:.0f} ({row['ratio_trivial_read']:.2f}x)"]
        for name in names:
            ratio = row[f"ratio_{name}"]
            cells.append(f"{row[name]:.0f} ({ratio:.2f}x) [{row[f'queries_{name}']}q]")
        cells.append(f"{row['hit_ratio']:.2f}")
        edits = row["traffic_edits"]
        cells.append(f"{row['renders_per_edit']:.1f} ({edits} edit{'' if edits == 1 else 's'})")
        cells.append(f"{row['p50_ms']:.1f} / {row['p99_ms']:.1f}")
        lines.append(f"| {row['backend']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def chart(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["trivial_read"] + [name for name, _ in CONFIGURATIONS]
    fig, (ax, traffic) = plt.subplots(1, 2, figsize=(15, 4.8), gridspec_kw={"width_ratios": [2, 1]})
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

    backends = [row["backend"] for row in rows]
    colors = [f"C{index}" for index in range(len(rows))]  # as in the chart on the left
    bars = traffic.bar(backends, [row["hit_ratio"] for row in rows], color=colors)
    labels = [
        f"{row['renders_per_edit']:.1f}\n{row['p50_ms']:.0f}\n{row['p99_ms']:.0f}" for row in rows
    ]
    traffic.bar_label(bars, labels, fontsize=8)
    traffic.text(
        0.02,
        0.97,
        "above each bar: renders per edit,\np50 ms, p99 ms",
        transform=traffic.transAxes,
        va="top",
        fontsize=8,
    )
    traffic.set_ylim(0, 1.35)
    traffic.set_ylabel("hit ratio (responses with Age / all)")
    traffic.set_title("Real traffic, an edit a second")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=SECTIONS,
        default=SECTIONS,
        help="levels: each level and real traffic, per backend; article: side by side with "
        "the seed article's cache_page (with redis among --backends); hostile: a flood, a "
        "storm of missing pages and compression, on Redis (with redis among --backends)",
    )
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per case")
    parser.add_argument("--recipes", type=int, default=200)
    parser.add_argument(
        "--article-recipes",
        type=int,
        default=ONE_PAGE,
        help="recipes each site holds side by side with the article's; by default one page of "
        "ours, so that every page compared lists the same recipes (the article's has no pages)",
    )
    parser.add_argument(
        "--traffic-seconds", type=int, default=20, help="how long the real-traffic run lasts"
    )
    parser.add_argument("--traffic-connections", type=int, default=16)
    parser.add_argument("--flood-requests", type=int, default=1000, help="junk requests")
    parser.add_argument(
        "--storm-requests", type=int, default=25, help="requests for missing pages per visitor"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 s x 1 round per case and 3 s of traffic: shows the benchmark runs, not figures",
    )
    parser.add_argument("--out", type=Path, default=TEMPLATE / "benchmarks" / "results")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.traffic_seconds = 1, 1, 3
        args.flood_requests, args.storm_requests = 200, 5
    numbers = ["seconds", "rounds", "recipes", "article_recipes"]
    for option in [*numbers, "traffic_seconds", "traffic_connections", "flood_requests"]:
        if getattr(args, option) < 1:
            sys.exit(f"ERROR: --{option.replace('_', '-')}: must be 1 or more")
    if args.recipes < TRAFFIC_RECIPES:
        sys.exit(f"ERROR: --recipes: must be at least {TRAFFIC_RECIPES} (got {args.recipes})")
    for backend, program in [("redis", "redis-server"), ("memcached", "memcached")]:
        if backend in args.backends and not shutil.which(program):
            sys.exit(f"ERROR: --backends: {backend} needs {program}; run scripts/install-servers")
    args.out.mkdir(parents=True, exist_ok=True)
    rows, article, hostile_figures = [], None, None
    with tempfile.TemporaryDirectory(prefix="cachebench-") as tmp:
        try:
            if "levels" in args.sections:
                for backend in args.backends:
                    rows.append(bench_backend(backend, args, Path(tmp)))
            if "article" in args.sections and "redis" in args.backends:
                article = article_side_by_side(args, Path(tmp))
            if "hostile" in args.sections and "redis" in args.backends:
                hostile_figures = hostile(args, Path(tmp))
        except StepFailed as error:
            sys.exit(f"ERROR: {error}")
    results = {"machine": machine(), "rows": rows}
    text = markdown(rows, args) if rows else ""
    if article:
        results["article"] = article
        text += ("\n" if text else "") + article_markdown(article, args)
    if hostile_figures:
        results["hostile"] = hostile_figures
        text += ("\n" if text else "") + hostile_markdown(hostile_figures)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    (args.out / "results.md").write_text(text)
    if rows:
        chart(rows, args.out / "results.png")
    print(text)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
